#include "requests/redis_session.h"

#include "requests/redis_commands.h"

namespace kscope::requests {

class RedisSession::RequestListener final : public RespReader::Listener {
 public:
  RequestListener(RedisSession& s, DbEvents& events) : s_(s), events_(events) {}
  void on_message(const RespReader::Message& m) override {
    if (m.command_known && m.command.empty()) return;  // an empty command: no answer
    add(m);
  }
  void on_lost(const RespReader::Message* partial, bool invalid) override {
    if (partial) add(*partial);
    else if (invalid) events_.on_drop(DropReason::kUnparsed, 1);
    // Requests may hide in the bytes that were not read.
    s_.gap_after_last(events_);
  }

 private:
  void add(const RespReader::Message& m) {
    if (s_.opaque()) return;  // left after CLIENT REPLY earlier in this call
    Pending p;
    p.operation = redis_operation_name(m.command, m.command_known, m.argument, m.argument_known, m.has_argument);
    if (p.operation.empty()) {
      s_.enqueue_lost(DropReason::kTruncated, events_);
      return;
    }
    p.timestamp_ns = m.timestamp_ns;
    if (p.operation == "CLIENT REPLY") {
      // OFF and SKIP silence the answers to come: pairing would go wrong,
      // so the connection is no longer followed (what waits is counted
      // when it closes).
      s_.set_opaque();
      return;
    }
    if (redis_starts_subscription(p.operation)) s_.subscribing_ = true;
    s_.enqueue(std::move(p), events_);
  }
  RedisSession& s_;
  DbEvents& events_;
};

class RedisSession::ResponseListener final : public RespReader::Listener {
 public:
  ResponseListener(RedisSession& s, DbEvents& events) : s_(s), events_(events) {}
  void on_message(const RespReader::Message& m) override {
    // A push answers nothing, unless a subscription waits: RESP3 confirms
    // a subscription with a push.
    if (m.type == '>' && !s_.subscribing_) return;
    answer(m);
  }
  void on_lost(const RespReader::Message* partial, bool invalid) override {
    if (!partial && invalid) events_.on_drop(DropReason::kUnparsed, 1);
    // An EXEC answer cut short does not tell every queued command's status.
    if (partial && partial->type != '>' && !(s_.front_operation() == "EXEC" && !s_.queued_.empty())) answer(*partial);
    s_.drop_queued(events_);
    s_.lose_responses(events_);
  }
  bool wants_elements() override { return s_.front_operation() == "EXEC" && !s_.queued_.empty(); }

 private:
  void answer(const RespReader::Message& m) {
    std::string_view status;
    if (m.type == '-' || m.type == '!') status = m.error_known && !m.error.empty() ? error_code(m.error) : "";
    const std::string operation(s_.front_operation());
    if ((m.type == '-' || m.type == '!') && status.empty()) {
      // An error whose code was not captured: its request is counted, not
      // recorded with a status nobody saw.
      Pending p;
      if (s_.take_answered(m.timestamp_ns, p, events_)) events_.on_drop(DropReason::kTruncated, 1);
      if (operation == "EXEC" || operation == "DISCARD") s_.drop_queued(events_);
    } else if (m.type == '+' && m.simple == "QUEUED") {
      // Inside MULTI: the command's own answer comes with EXEC's.
      Pending p;
      if (s_.take_answered(m.timestamp_ns, p, events_)) {
        if (s_.queued_.size() < kMaxRespElements) s_.queued_.push_back({std::move(p), m.timestamp_ns});
        else events_.on_drop(DropReason::kInFlightFull, 1);
      }
    } else {
      s_.answer(status, m.timestamp_ns, events_);
      if (operation == "EXEC") settle(m);
      if (operation == "DISCARD") s_.queued_.clear();  // never run: not counted, as Redis counts them
    }
    if (s_.responses_lost()) s_.drop_queued(events_);
    if (s_.subscribing_ && !s_.awaiting()) s_.set_opaque();
  }

  // EXEC's answer: an array with each queued command's reply in order; an
  // error (EXECABORT) or a null array (WATCH) when none of them ran.
  void settle(const RespReader::Message& m) {
    if (m.type == '*' && m.elements && !m.elements->empty()) {
      const auto& elements = *m.elements;
      for (size_t i = 0; i < s_.queued_.size(); ++i) {
        const Queued& q = s_.queued_[i];
        if (i >= elements.size()) {
          events_.on_drop(DropReason::kTruncated, 1);
          continue;
        }
        DbOutcome o;
        o.operation = q.request.operation;
        o.status = error_code(elements[i]);
        o.request_ns = q.request.timestamp_ns;
        o.response_ns = q.queued_ns;
        events_.on_exchange(o);
      }
    }
    s_.queued_.clear();
  }
  // An error prefix is a word of capitals ("ERR", "WRONGTYPE", "NOAUTH");
  // anything else is not a code to export.
  static std::string_view error_code(std::string_view word) {
    if (word.empty()) return word;
    for (char c : word) {
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return "_OTHER";
    }
    return word;
  }
  RedisSession& s_;
  DbEvents& events_;
};

void RedisSession::drop_queued(DbEvents& events) {
  if (!queued_.empty()) events.on_drop(DropReason::kTruncated, queued_.size());
  queued_.clear();
}

void RedisSession::on_call(bool requests, std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns,
                           DbEvents& events) {
  if (opaque() || total_bytes == 0) return;
  if (requests) {
    if (requests_.lost()) {
      // Commands resume only at a call that begins with an array: the rest
      // of a lost call (a value's bytes) must not be read as an inline command.
      if (prefix.empty() || prefix[0] != '*') return;
      requests_.restart();
    }
    RequestListener l(*this, events);
    requests_.on_call(prefix, total_bytes, timestamp_ns, l);
    return;
  }
  if (responses_lost()) {
    if (!try_resume_responses()) return;
    responses_.restart();
  }
  ResponseListener l(*this, events);
  responses_.on_call(prefix, total_bytes, timestamp_ns, l);
}

}  // namespace kscope::requests
