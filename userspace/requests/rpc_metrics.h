// gRPC call durations as OpenTelemetry's RPC semantic conventions name
// them once exported to Prometheus, in kscope's Family/Series model:
//   rpc_server_call_duration_seconds{rpc_system_name="grpc", rpc_service,
//     rpc_method, rpc_grpc_status_code, <breakdown>}
//   rpc_client_call_duration_seconds{... the same, server_address,
//     server_port}
// from the call's start (its request HEADERS) to its trailers. Capped as
// the other request families (capped_series.h): rpc_service, rpc_method,
// server_address and server_port fold first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"
#include "requests/capped_series.h"
#include "requests/socket_data.h"

namespace kscope::requests {

inline constexpr const char* kRpcServerDurationMetric = "rpc_server_call_duration_seconds";
inline constexpr const char* kRpcClientDurationMetric = "rpc_client_call_duration_seconds";
inline constexpr size_t kMaxRpcNameBytes = 128;

// rpc_service and rpc_method of a gRPC :path "/pkg.Service/Method"
// (each cut to kMaxRpcNameBytes); both "_OTHER" when the path is not of
// that form.
struct RpcName {
  std::string_view service;
  std::string_view method;
};
RpcName rpc_name_of(std::string_view path);

// One finished gRPC call. Views live for the call only.
struct RpcCall {
  Role role = Role::kUnknown;
  uint32_t tgid = 0;
  RpcName name;
  int grpc_status = 0;  // 0 OK ... 16 UNAUTHENTICATED
  uint64_t request_ns = 0;
  uint64_t response_ns = 0;
  SocketAddress server;  // the server's end, when known
  uint64_t duration_ns() const { return response_ns - request_ns; }
};

class RpcMetrics {
 public:
  RpcMetrics(std::string breakdown_label, size_t max_series);

  void record(const RpcCall& call, std::string_view breakdown);
  // The two families (series with data), added to `out` or to the
  // families of those names already there.
  void append(std::vector<Family>& out) const;

 private:
  std::string breakdown_label_;
  CappedSeries server_;
  CappedSeries client_;
};

}  // namespace kscope::requests
