// The request engines' duration families as the signals read them
// (docs/requests.md, docs/databases.md): which label holds a request's
// status and what makes it failed, on the server side (what a service
// answered) and on the client side (what a process asked of others). An
// HTTP 5xx is the server failing (a 4xx is the client's error, OTel's
// rule); any database error code is a failure. gRPC as OpenTelemetry's
// gRPC conventions say: a server fails with UNKNOWN, DEADLINE_EXCEEDED,
// UNIMPLEMENTED, INTERNAL, UNAVAILABLE or DATA_LOSS (the others are the
// caller's errors); to a client every status but OK is a failure.
#pragma once

#include <string_view>

#include "model/snapshot.h"

namespace kscope {

struct RequestFamily {
  std::string_view name;
  std::string_view status_label;
  bool (*failed)(std::string_view status);
  std::string_view protocol_label;  // "" for HTTP, whose protocol is "http"
};

inline bool http_status_failed(std::string_view status) { return status.size() == 3 && status[0] == '5'; }
inline bool db_status_failed(std::string_view status) { return !status.empty(); }
inline bool grpc_server_status_failed(std::string_view status) {
  return status == "2" || status == "4" || status == "12" || status == "13" || status == "14" || status == "15";
}
inline bool grpc_client_status_failed(std::string_view status) { return !status.empty() && status != "0"; }

inline constexpr RequestFamily kServedRequestFamilies[] = {
    {"http_server_request_duration_seconds", "http_response_status_code", http_status_failed, ""},
    {"kscope_db_server_operation_duration_seconds", "db_response_status_code", db_status_failed, "db_system_name"},
    {"rpc_server_call_duration_seconds", "rpc_grpc_status_code", grpc_server_status_failed, "rpc_system_name"},
};
inline constexpr RequestFamily kClientRequestFamilies[] = {
    {"http_client_request_duration_seconds", "http_response_status_code", http_status_failed, ""},
    {"db_client_operation_duration_seconds", "db_response_status_code", db_status_failed, "db_system_name"},
    {"rpc_client_call_duration_seconds", "rpc_grpc_status_code", grpc_client_status_failed, "rpc_system_name"},
};

// Whether a series of family `f` counts failed requests.
inline bool request_series_failed(const RequestFamily& f, const Series& s) {
  const std::string* status = s.label(f.status_label);
  return status != nullptr && f.failed(*status);
}

}  // namespace kscope
