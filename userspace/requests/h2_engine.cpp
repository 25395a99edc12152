#include "requests/h2_engine.h"

#include <utility>

#include "requests/capped_series.h"
#include "requests/http_parser.h"

namespace kscope::requests {

class H2Engine::Events final : public H2Events {
 public:
  Events(H2Engine& e, const Connection& c) : e_(e), c_(c) {}
  void on_call(const H2Call& call) override { e_.on_call(c_, call); }
  void on_drop(DropReason reason, uint64_t n) override { e_.count(reason, n); }

 private:
  H2Engine& e_;
  const Connection& c_;
};

H2Engine::H2Engine(H2EngineConfig config, ProcessResolver resolver, std::function<void(const Exchange&)> http_sink)
    : config_(std::move(config)),
      processes_(std::move(resolver)),
      rpc_(config_.breakdown_label, config_.max_series),
      http_sink_(std::move(http_sink)),
      connections_(config_.max_connections, config_.idle_timeout_ns,
                   [this](Connection& c, DropReason reason) { release(c, reason); }) {}

void H2Engine::release(Connection& c, DropReason reason) {
  if (!c.session || !c.session->decoding()) return;
  uint64_t waiting = c.session->unanswered();
  if (waiting > 0) count(reason, waiting);
}

H2Engine::Connection* H2Engine::find_or_add(const ConnectionId& id, uint64_t now_ns, bool& table_full) {
  Connection* c = connections_.find_or_add(id, now_ns, table_full);
  if (c && !c->session) c->session = std::make_unique<H2Session>(config_.limits, carried_);
  return c;
}

void H2Engine::on_connection(const ConnectionEvent& event) {
  if (event.kind == ConnectionEvent::Kind::kClose) {
    connections_.close(event.conn);
    return;
  }
  bool table_full = false;
  Connection* c = find_or_add(event.conn, event.timestamp_ns, table_full);
  if (!c) return;  // counted when its first bytes come
  c->opened = true;
  c->role = event.role;
  c->peer = event.peer;
  c->server = event.role == Role::kServer ? event.local : event.peer;
}

void H2Engine::on_data(const SocketData& data) {
  if (data.total_bytes == 0) return;
  bool table_full = false;
  Connection* c = find_or_add(data.conn, data.timestamp_ns, table_full);
  if (!c) {
    // Once per connection: its first call carries the preface or SETTINGS.
    if (table_full && (data.prefix.substr(0, 3) == kH2Preface.substr(0, 3) || h2_plausible_frame_header(data.prefix))) {
      count(DropReason::kTableFull, 1);
    }
    return;
  }
  Events events(*this, *c);
  if (data.tls != c->tls) {
    // Ciphertext is never HTTP/2; once plaintext is seen through the TLS
    // library only that is followed, from a fresh session.
    if (!data.tls) return;
    release(*c, DropReason::kClosedInFlight);
    c->session = std::make_unique<H2Session>(config_.limits, carried_);
    c->tls = true;
  }
  if (!c->opened || c->role == Role::kUnknown) {
    c->session->mark_preexisting(events);
    return;
  }
  const bool from_client = (c->role == Role::kServer) == (data.direction == Direction::kRead);
  c->session->on_call(from_client, data.prefix, data.total_bytes, data.timestamp_ns, events);
}

void H2Engine::on_call(const Connection& c, const H2Call& call) {
  if (!call.grpc) {
    if (!http_sink_) return;
    Exchange e;
    e.role = c.role;
    e.tgid = c.id.tgid;
    e.method = canonical_method(call.method);
    e.target = call.path;
    e.version = HttpVersion::k2;
    e.status = call.status;
    e.request_ns = call.request_ns;
    e.response_ns = call.response_ns < call.request_ns ? call.request_ns : call.response_ns;
    e.peer = c.peer;
    e.tls = c.tls;
    http_sink_(e);
    return;
  }
  RpcCall r;
  r.role = c.role;
  r.tgid = c.id.tgid;
  r.name = rpc_name_of(call.path);
  r.grpc_status = call.grpc_status;
  r.request_ns = call.request_ns;
  r.response_ns = call.response_ns < call.request_ns ? call.request_ns : call.response_ns;
  r.server = c.server;
  rpc_.record(r, processes_.get(c.id.tgid).breakdown);
  if (rpc_listener_) rpc_listener_(r);
}

void H2Engine::evict_idle(uint64_t now_ns) {
  connections_.evict_idle(now_ns);
  processes_.clear();
}

void H2Engine::append(std::vector<Family>& out) const {
  size_t first = out.size();
  rpc_.append(out);
  fold_histogram_breakdowns(out, first, config_.breakdown_label, config_.max_breakdown);
  append_drops(out, "http2", drops_);
}

}  // namespace kscope::requests
