#include "requests/rpc_metrics.h"

#include "requests/request_metrics.h"

namespace kscope::requests {

RpcName rpc_name_of(std::string_view path) {
  if (path.size() < 4 || path[0] != '/') return {"_OTHER", "_OTHER"};
  std::string_view rest = path.substr(1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size() ||
      rest.find('/', slash + 1) != std::string_view::npos) {
    return {"_OTHER", "_OTHER"};
  }
  return {rest.substr(0, slash).substr(0, kMaxRpcNameBytes), rest.substr(slash + 1).substr(0, kMaxRpcNameBytes)};
}

RpcMetrics::RpcMetrics(std::string breakdown_label, size_t max_series)
    : breakdown_label_(std::move(breakdown_label)),
      server_(max_series, {"rpc_service", "rpc_method"}, breakdown_label_),
      client_(max_series, {"rpc_service", "rpc_method", "server_address", "server_port"}, breakdown_label_) {}

void RpcMetrics::record(const RpcCall& call, std::string_view breakdown) {
  Labels labels;
  labels.reserve(7);
  labels.emplace_back("rpc_system_name", "grpc");
  labels.emplace_back("rpc_service", call.name.service);
  labels.emplace_back("rpc_method", call.name.method);
  labels.emplace_back("rpc_grpc_status_code", std::to_string(call.grpc_status));
  if (call.role == Role::kClient) {
    labels.emplace_back("server_address", address_text(call.server));
    labels.emplace_back("server_port", call.server.known ? std::to_string(call.server.port) : "unknown");
  }
  if (!breakdown_label_.empty()) labels.emplace_back(breakdown_label_, breakdown);
  (call.role == Role::kClient ? client_ : server_).record_ns(std::move(labels), call.duration_ns());
}

void RpcMetrics::append(std::vector<Family>& out) const {
  const struct {
    const char* name;
    const char* help;
    const CappedSeries& series;
  } families[] = {
      {kRpcServerDurationMetric,
       "Duration of gRPC calls in the server: from the arrival of the call's HEADERS to the write of its trailers.",
       server_},
      {kRpcClientDurationMetric,
       "Duration of gRPC calls as their clients see them: from the write of the call's HEADERS to the arrival of "
       "its trailers.",
       client_},
  };
  for (const auto& f : families) {
    Family& family = family_in(out, f.name, f.help, MetricType::kHistogram);
    f.series.append_to(family);
    if (family.le_seconds.empty()) family.le_seconds = otel_http_duration_le_seconds();
  }
}

}  // namespace kscope::requests
