// What the database engines share per connection: requests waiting for
// their answers in order (Redis and PostgreSQL both answer in order, pipelined
// or not), bounded, and the rule for a stream whose framing was lost.
//
// Each protocol's session (redis_session.h, pg_session.h) cuts the bytes of
// one connection into requests and responses and calls enqueue() and
// answer(); this base pairs them, stamps the durations and counts every
// request it cannot follow. Invariant: each request the session reported
// (enqueue, enqueue_lost) is either an exchange or counted once as a drop.
//
// When the responses' framing is lost (an answer's header fell in bytes the
// capture did not keep), no later answer can be paired safely: the waiting
// requests are dropped (counted) and the responses are ignored until a
// request is seen after the loss; the first response call after it starts
// afresh. When the requests' framing is lost, the requests hidden in the
// unseen bytes are unknown: the answers of the requests before the gap are
// still paired, then the responses are treated as lost (above).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "requests/drop_reason.h"

namespace kscope::requests {

// Bounds shared by all sessions of one engine.
struct DbQueueLimits {
  size_t max_in_flight = 256;  // per connection (Redis pipelines are deep)
  size_t max_pending_total = 16384;
};

// One request answered: what the engine turns into a metric. Views live
// for the call only.
struct DbOutcome {
  std::string_view operation;   // "" when unknown
  std::string_view collection;  // "" unless exactly one table or key space is named
  std::string_view status;      // "" on success; SQLSTATE or Redis error prefix
  uint64_t request_ns = 0;
  uint64_t response_ns = 0;
};

class DbEvents {
 public:
  virtual ~DbEvents() = default;
  virtual void on_exchange(const DbOutcome& outcome) = 0;
  virtual void on_drop(DropReason reason, uint64_t n) = 0;
};

class DbSession {
 public:
  // `pending_total` counts the waiting requests of every session of the
  // engine (against limits.max_pending_total); it must outlive the session.
  DbSession(DbQueueLimits limits, size_t& pending_total) : limits_(limits), pending_total_(pending_total) {}
  virtual ~DbSession() { pending_total_ -= pending_.size(); }
  DbSession(const DbSession&) = delete;
  DbSession& operator=(const DbSession&) = delete;

  // One read or write: the bytes the client sent (`requests`) or those the
  // server sent. prefix holds the captured first bytes, total_bytes what
  // the call moved.
  virtual void on_call(bool requests, std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns,
                       DbEvents& events) = 0;

  // Requests still waiting, not yet counted (for a close or an eviction).
  virtual uint64_t unanswered() const { return waiting(); }
  size_t pending() const { return pending_.size(); }
  // Bytes kept across calls (bounded by each protocol's framer).
  virtual size_t carried_bytes() const = 0;
  // Nothing more is parsed on this connection (TLS inside the protocol,
  // a subscription).
  bool opaque() const { return opaque_; }

 protected:
  struct Pending {
    std::string operation;
    std::string collection;
    uint64_t timestamp_ns = 0;
    bool counted = false;  // already dropped and counted, kept for its place in line
    bool silent = false;   // answered but never a metric (a start-up, a lone Sync)
    bool gap_after = false;  // requests the capture did not show follow it
  };

  uint64_t waiting() const;
  void enqueue(Pending p, DbEvents& events);
  // A request seen but not readable (counted now as `reason`), kept in line
  // so that its answer is not paired with another request.
  void enqueue_lost(DropReason reason, DbEvents& events);
  // The oldest waiting request is answered at timestamp_ns.
  void answer(std::string_view status, uint64_t timestamp_ns, DbEvents& events);
  // The oldest waiting request is answered but its outcome is known later
  // (a command queued in a Redis transaction): true with it in `out` when
  // it is one to record, false when none waited or it was already counted.
  bool take_answered(uint64_t timestamp_ns, Pending& out, DbEvents& events);
  // The operation of the oldest waiting request ("" when none).
  std::string_view front_operation() const { return pending_.empty() ? std::string_view{} : pending_.front().operation; }
  // Marks the newest waiting request as followed by unseen requests.
  void gap_after_last(DbEvents& events);
  // The answers' framing is lost: drops what waits, ignores answers until
  // a request follows (responses_lost()).
  void lose_responses(DbEvents& events);
  bool responses_lost() const { return responses_lost_; }
  // A request call seen: answers may resume after it.
  void request_seen() { request_since_loss_ = true; }
  // Whether a response call may start afresh now; clears the lost state.
  bool try_resume_responses();
  bool awaiting() const { return !pending_.empty() || dropped_tail_ > 0; }
  void set_opaque() { opaque_ = true; }

 private:
  bool queue_full() const {
    return pending_.size() >= limits_.max_in_flight || dropped_tail_ > 0 || pending_total_ >= limits_.max_pending_total;
  }
  void push(Pending p) {
    pending_.push_back(std::move(p));
    ++pending_total_;
  }

  DbQueueLimits limits_;
  size_t& pending_total_;
  std::deque<Pending> pending_;
  // Requests dropped once the queue was full whose answers come after those
  // of pending_: until they have, newer requests are dropped too.
  uint64_t dropped_tail_ = 0;
  bool responses_lost_ = false;
  bool request_since_loss_ = false;
  bool opaque_ = false;
};

}  // namespace kscope::requests
