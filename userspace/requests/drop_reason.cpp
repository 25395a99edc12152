#include "requests/drop_reason.h"

#include "requests/capped_series.h"

namespace kscope::requests {

std::string_view drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::kTruncated: return "truncated";
    case DropReason::kUnparsed: return "unparsed";
    case DropReason::kResponseWithoutRequest: return "response_without_request";
    case DropReason::kClosedInFlight: return "closed_in_flight";
    case DropReason::kInFlightFull: return "in_flight_full";
    case DropReason::kTableFull: return "table_full";
    case DropReason::kEvictedInFlight: return "evicted_in_flight";
    case DropReason::kOutOfOrder: return "out_of_order";
    case DropReason::kEncrypted: return "encrypted";
    case DropReason::kStreamReset: return "stream_reset";
    case DropReason::kH2Preexisting: return "h2_preexisting";
    case DropReason::kCount: break;
  }
  return "unknown";
}

void append_drops(std::vector<Family>& out, std::string_view protocol, const DropCounts& drops) {
  Family& family = family_in(out, kDroppedMetric,
                             "Requests the request engines could not follow, by protocol and reason.",
                             MetricType::kCounter);
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    family.series.push_back({{{"protocol", std::string(protocol)},
                               {"reason", std::string(drop_reason_name(static_cast<DropReason>(i)))}},
                              static_cast<double>(drops[i]),
                              {}});
  }
}

}  // namespace kscope::requests
