// Requests as events: which of the request engines' matched exchanges
// become an events::RequestEvent (`kscope trace http|db|requests`, and in
// `kscope run` the slow and failed ones on /api/v1/events), and how one is
// built from an exchange.
//
// A request path loses its query string here, before anything prints it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "events/event.h"
#include "requests/db_engine.h"
#include "requests/exchange_matcher.h"
#include "requests/rpc_metrics.h"

namespace kscope {

enum class RequestSide : uint8_t { kAny, kServer, kClient };

// What a request must be to become an event. Protocols, statuses, pid and
// side narrow; then it must be at least min_duration_ns long, or, with
// errors_regardless_of_duration, be an error.
struct RequestEventFilter {
  std::vector<std::string> protocols;  // "http", "redis", "postgresql", "mysql", "grpc"; empty: all
  // "5xx" (an HTTP status class), "404", "42601", "WRONGTYPE" (exact), or
  // "error" (any error: 5xx on a server, 4xx/5xx on a client, any database
  // error). Empty: any status.
  std::vector<std::string> statuses;
  uint32_t pid = 0;  // 0: any process
  RequestSide side = RequestSide::kAny;
  uint64_t min_duration_ns = 0;
  bool errors_regardless_of_duration = false;

  bool admits(const RequestEvent& r) const;
};

// "5xx,404,error" -> the filter's statuses; an error names the bad item.
Result<std::vector<std::string>> parse_status_list(std::string_view text);

// The event of an HTTP exchange; `comm` is its process's name.
Event http_request_event(const requests::Exchange& e, std::string_view route, std::string_view comm);

// The event of a database operation.
Event db_request_event(const requests::DbExchange& e, std::string_view comm);

// The event of a gRPC call: protocol "grpc", operation the method, target
// the service, status the code's number; an error as OpenTelemetry's gRPC
// conventions say (signals/request_families.h).
Event rpc_request_event(const requests::RpcCall& c, std::string_view comm);

// At most `per_second` events a second (0: no limit), the rest counted: a
// server failing 10,000 requests a second must not flood the stream its
// dashboards read.
class RequestEventRate {
 public:
  explicit RequestEventRate(uint32_t per_second) : per_second_(per_second) {}
  // Whether an event at monotonic time now_ns may go.
  bool admit(uint64_t now_ns);
  uint64_t suppressed() const { return suppressed_; }

 private:
  uint32_t per_second_;
  uint64_t window_start_ns_ = 0;
  uint32_t in_window_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace kscope
