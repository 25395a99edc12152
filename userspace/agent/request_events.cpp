#include "agent/request_events.h"

#include <algorithm>
#include <cctype>

#include "requests/route_template.h"
#include "signals/request_families.h"

namespace kscope {
namespace {

constexpr uint64_t kSecondNs = 1000ull * 1000 * 1000;

// "5xx" matches an HTTP status of that class; "error" any error; anything
// else the status exactly.
bool status_matches(std::string_view want, const RequestEvent& r) {
  if (want == "error") return r.error;
  if (want.size() == 3 && want[1] == 'x' && want[2] == 'x') {
    return r.protocol == "http" && r.status.size() == 3 && r.status[0] == want[0];
  }
  return r.status == want;
}

// The fields every request event has.
RequestEvent request_of(std::string_view protocol, requests::Role role, uint32_t tgid, std::string_view comm) {
  RequestEvent r;
  r.protocol = protocol;
  r.server = role == requests::Role::kServer;
  r.pid = tgid;
  r.comm = comm;
  return r;
}

// The server's end is the peer of a client; a server's peer (its client)
// is not kept by the database and gRPC engines.
void set_server_peer(RequestEvent& r, const requests::SocketAddress& server) {
  if (!r.server && server.known) {
    r.peer = server.address;
    r.peer_port = server.port;
  }
}

Event event_of(uint64_t ts_ns, RequestEvent r) {
  Event ev;
  ev.probe = "l7";
  ev.ts_ns = ts_ns;
  ev.body = std::move(r);
  return ev;
}

}  // namespace

bool RequestEventFilter::admits(const RequestEvent& r) const {
  if (!protocols.empty() && std::find(protocols.begin(), protocols.end(), r.protocol) == protocols.end()) {
    return false;
  }
  if (pid != 0 && r.pid != pid) return false;
  if (side == RequestSide::kServer && !r.server) return false;
  if (side == RequestSide::kClient && r.server) return false;
  if (!statuses.empty() &&
      std::none_of(statuses.begin(), statuses.end(), [&](const std::string& s) { return status_matches(s, r); })) {
    return false;
  }
  if (r.duration_ns >= min_duration_ns) return true;
  return errors_regardless_of_duration && r.error;
}

Result<std::vector<std::string>> parse_status_list(std::string_view text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(at, comma - at);
    at = comma + 1;
    if (item.empty()) continue;
    bool word = item.size() <= 32 && std::all_of(item.begin(), item.end(), [](unsigned char c) {
                  return std::isalnum(c) != 0 || c == '_' || c == '-';
                });
    if (!word) {
      return Error("status '" + std::string(item.substr(0, 32)) + "' is not a status",
                   "e.g. 5xx, 404, error, 42601 (SQLSTATE), WRONGTYPE (Redis)");
    }
    out.emplace_back(item);
  }
  if (out.empty()) return Error("no status given", "e.g. --status 5xx,404 or --status error");
  return out;
}

Event http_request_event(const requests::Exchange& e, std::string_view route, std::string_view comm) {
  Event ev;
  ev.probe = "l7";
  ev.ts_ns = e.response_ns;
  RequestEvent r;
  r.protocol = "http";
  r.server = e.role == requests::Role::kServer;
  r.pid = e.tgid;
  r.comm = comm;
  r.operation = e.method;
  // Privacy: the query string never leaves the engine (docs/requests.md).
  r.target = requests::path_of(e.target);
  r.route = route;
  r.status = std::to_string(e.status);
  r.error = r.server ? e.status >= 500 : e.status >= 400;
  r.tls = e.tls;
  r.duration_ns = e.duration_ns();
  if (e.peer.known) {
    r.peer = e.peer.address;
    r.peer_port = e.peer.port;
  }
  ev.body = std::move(r);
  return ev;
}

Event db_request_event(const requests::DbExchange& e, std::string_view comm) {
  RequestEvent r = request_of(requests::db_system_name(e.system), e.role, e.tgid, comm);
  r.operation = e.outcome.operation.empty() ? std::string_view("_OTHER") : e.outcome.operation;
  r.target = e.outcome.collection;
  r.status = e.outcome.status;
  r.error = !e.outcome.status.empty();
  r.duration_ns = e.outcome.response_ns > e.outcome.request_ns ? e.outcome.response_ns - e.outcome.request_ns : 0;
  set_server_peer(r, e.server);
  return event_of(e.outcome.response_ns, std::move(r));
}

Event rpc_request_event(const requests::RpcCall& c, std::string_view comm) {
  RequestEvent r = request_of("grpc", c.role, c.tgid, comm);
  r.operation = c.name.method;
  r.target = c.name.service;
  r.status = std::to_string(c.grpc_status);
  r.error = r.server ? grpc_server_status_failed(r.status) : grpc_client_status_failed(r.status);
  r.duration_ns = c.duration_ns();
  set_server_peer(r, c.server);
  return event_of(c.response_ns, std::move(r));
}

bool RequestEventRate::admit(uint64_t now_ns) {
  if (per_second_ == 0) return true;
  if (now_ns - window_start_ns_ >= kSecondNs) {
    window_start_ns_ = now_ns;
    in_window_ = 0;
  }
  if (in_window_ < per_second_) {
    ++in_window_;
    return true;
  }
  ++suppressed_;
  return false;
}

}  // namespace kscope
