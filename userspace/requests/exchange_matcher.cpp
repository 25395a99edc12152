#include "requests/exchange_matcher.h"

#include <algorithm>
#include <utility>

namespace kscope::requests {

class ExchangeMatcher::RequestListener final : public MessageStream::Listener {
 public:
  RequestListener(ExchangeMatcher& m, Connection& c) : m_(m), c_(c) {}
  MessageStream::BodyHint on_message(const HttpHead& head, uint64_t timestamp_ns, bool) override {
    Pending p;
    p.method = head.method;
    p.version = head.version;
    p.target.assign(head.target.substr(0, kMaxStoredTarget));
    p.timestamp_ns = timestamp_ns;
    m_.enqueue(c_, std::move(p));
    return {};
  }
  // A request that was seen but not read still gets a response.
  void on_drop(DropReason reason) override { m_.enqueue_lost(c_, reason); }

 private:
  ExchangeMatcher& m_;
  Connection& c_;
};

class ExchangeMatcher::ResponseListener final : public MessageStream::Listener {
 public:
  ResponseListener(ExchangeMatcher& m, Connection& c) : m_(m), c_(c) {}
  MessageStream::BodyHint on_message(const HttpHead& head, uint64_t timestamp_ns, bool) override {
    // Interim responses (100 Continue, 103 Early Hints) precede the final
    // one and answer nothing by themselves.
    if (head.status < 200 && head.status != 101) return {};
    if (c_.pending.empty()) {
      if (c_.dropped_tail > 0) {
        --c_.dropped_tail;  // the answer to a request already counted
      } else {
        m_.count(DropReason::kResponseWithoutRequest);
      }
      return {};
    }
    Pending p = std::move(c_.pending.front());
    m_.pop_front(c_);
    MessageStream::BodyHint hint;
    hint.no_body = p.method == "HEAD";
    hint.tunnel = head.status == 101 || (p.method == "CONNECT" && head.status < 300);
    if (hint.tunnel) c_.requests.set_opaque();
    if (p.method.empty()) return hint;  // its request was dropped and counted
    if (timestamp_ns < p.timestamp_ns) {
      m_.count(DropReason::kOutOfOrder);
      return hint;
    }
    Exchange e;
    e.role = c_.role;
    e.tgid = c_.id.tgid;
    e.method = p.method;
    e.target = p.target;
    // HTTP/1.0 on either side makes the exchange HTTP/1.0.
    e.version = std::min(p.version, head.version);
    e.status = head.status;
    e.request_ns = p.timestamp_ns;
    e.response_ns = timestamp_ns;
    e.peer = c_.peer;
    e.tls = c_.tls;
    if (m_.sink_) m_.sink_(e);
    return hint;
  }
  bool awaits_message() const override { return !c_.pending.empty(); }
  void on_drop(DropReason reason) override {
    // A response that cannot be read loses the exchange of the request it
    // answers: that request is the one counted.
    if (!c_.pending.empty()) {
      bool already_counted = c_.pending.front().method.empty();
      m_.pop_front(c_);
      if (already_counted) return;
    } else if (c_.dropped_tail > 0) {
      --c_.dropped_tail;
      return;
    }
    m_.count(reason);
  }

 private:
  ExchangeMatcher& m_;
  Connection& c_;
};

void ExchangeMatcher::enqueue(Connection& c, Pending p) {
  if (queue_full(c)) {
    count(DropReason::kInFlightFull);
    ++c.dropped_tail;
    return;
  }
  c.pending.push_back(std::move(p));
  ++pending_;
}

void ExchangeMatcher::enqueue_lost(Connection& c, DropReason reason) {
  count(reason);
  if (queue_full(c)) {
    ++c.dropped_tail;
    return;
  }
  c.pending.emplace_back();
  ++pending_;
}

ExchangeMatcher::ExchangeMatcher(MatcherLimits limits, Sink sink)
    : limits_(limits),
      sink_(std::move(sink)),
      connections_(limits.max_connections, limits.idle_timeout_ns,
                   [this](Connection& c, DropReason reason) { release(c, reason); }) {
  if (limits_.max_in_flight == 0) limits_.max_in_flight = 1;
}

void ExchangeMatcher::release(Connection& c, DropReason reason) {
  // A request whose head was still arriving waited too; the placeholders
  // of dropped requests were counted when they were dropped.
  uint64_t waiting = c.requests.carrying() ? 1 : 0;
  for (const Pending& p : c.pending) waiting += p.method.empty() ? 0 : 1;
  count(reason, waiting);
  pending_ -= c.pending.size();
  carried_ -= c.requests.carried_bytes() + c.responses.carried_bytes();
}

void ExchangeMatcher::on_connection(const ConnectionEvent& event) {
  if (event.kind == ConnectionEvent::Kind::kClose) {
    connections_.close(event.conn);
    return;
  }
  bool table_full = false;
  Connection* c = connections_.find_or_add(event.conn, event.timestamp_ns, table_full);
  // A full table is counted when a request arrives on the connection.
  if (!c) return;
  c->role = event.role;
  c->peer = event.peer;
}

void ExchangeMatcher::on_data(const SocketData& data) {
  if (data.total_bytes == 0) return;
  std::string_view prefix = data.prefix.substr(0, data.total_bytes);
  bool table_full = false;
  Connection* c = connections_.find_or_add(data.conn, data.timestamp_ns, table_full);
  if (!c) {
    if (table_full && starts_like_request(prefix)) count(DropReason::kTableFull);
    return;
  }
  if (data.tls != c->tls) {
    // Ciphertext read by the syscalls of a TLS connection is never HTTP;
    // once its plaintext is seen, only that is followed.
    if (!data.tls) return;
    pending_ -= c->pending.size();
    carried_ -= c->requests.carried_bytes() + c->responses.carried_bytes();
    Connection fresh;
    fresh.id = c->id;
    fresh.role = c->role;
    fresh.peer = c->peer;
    fresh.tls = true;
    fresh.last_ns = c->last_ns;
    fresh.lru = c->lru;
    *c = std::move(fresh);
  }
  if (c->role == Role::kUnknown) c->role = data.role;
  if (c->role == Role::kUnknown) {
    // A connection opened before kscope started: its role from what it says.
    bool reading = data.direction == Direction::kRead;
    if (starts_like_request(prefix)) c->role = reading ? Role::kServer : Role::kClient;
    else if (starts_like_response(prefix)) c->role = reading ? Role::kClient : Role::kServer;
    else return;
  }
  const bool carries_requests = (c->role == Role::kServer) == (data.direction == Direction::kRead);
  if (!c->http) {
    if (carries_requests ? !starts_like_request(prefix) : !starts_like_response(prefix)) return;
    c->http = true;
  }
  MessageStream& stream = carries_requests ? c->requests : c->responses;
  const size_t carried_before = stream.carried_bytes();
  stream.allow_carry(carried_ - carried_before + kMaxHeadCarry <= limits_.max_carried_bytes);
  if (carries_requests) {
    RequestListener listener(*this, *c);
    stream.on_call(prefix, data.total_bytes, data.timestamp_ns, listener);
  } else {
    ResponseListener listener(*this, *c);
    stream.on_call(prefix, data.total_bytes, data.timestamp_ns, listener);
  }
  carried_ = carried_ - carried_before + stream.carried_bytes();
}

void ExchangeMatcher::evict_idle(uint64_t now_ns) { connections_.evict_idle(now_ns); }

}  // namespace kscope::requests
