#include "requests/drop_reason.h"

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
    case DropReason::kCount: break;
  }
  return "unknown";
}

}  // namespace kscope::requests
