#include "requests/db_session.h"

#include <utility>

namespace kscope::requests {

uint64_t DbSession::waiting() const {
  uint64_t n = 0;
  for (const Pending& p : pending_) n += (p.counted || p.silent) ? 0 : 1;
  return n;
}

void DbSession::enqueue(Pending p, DbEvents& events) {
  if (responses_lost_) request_since_loss_ = true;
  if (queue_full()) {
    if (!p.silent) events.on_drop(DropReason::kInFlightFull, 1);
    ++dropped_tail_;
    return;
  }
  push(std::move(p));
}

void DbSession::enqueue_lost(DropReason reason, DbEvents& events) {
  events.on_drop(reason, 1);
  if (responses_lost_) request_since_loss_ = true;
  if (queue_full()) {
    ++dropped_tail_;
    return;
  }
  Pending p;
  p.counted = true;
  push(std::move(p));
}

bool DbSession::take_answered(uint64_t timestamp_ns, Pending& out, DbEvents& events) {
  if (responses_lost_) return false;
  if (pending_.empty()) {
    if (dropped_tail_ > 0) --dropped_tail_;  // the answer to a request already counted
    else events.on_drop(DropReason::kResponseWithoutRequest, 1);
    return false;
  }
  out = std::move(pending_.front());
  pending_.pop_front();
  --pending_total_;
  bool record = !out.counted && !out.silent;
  if (record && timestamp_ns < out.timestamp_ns) {
    events.on_drop(DropReason::kOutOfOrder, 1);
    record = false;
  }
  if (out.gap_after) lose_responses(events);
  return record;
}

void DbSession::answer(std::string_view status, uint64_t timestamp_ns, DbEvents& events) {
  Pending p;
  if (!take_answered(timestamp_ns, p, events)) return;
  DbOutcome o;
  o.operation = p.operation;
  o.collection = p.collection;
  o.status = status;
  o.request_ns = p.timestamp_ns;
  o.response_ns = timestamp_ns;
  events.on_exchange(o);
}

void DbSession::gap_after_last(DbEvents& events) {
  if (pending_.empty()) {
    // The gap's requests come after requests already dropped (or none
    // wait): nothing can be paired past this point.
    lose_responses(events);
    return;
  }
  pending_.back().gap_after = true;
}

void DbSession::lose_responses(DbEvents& events) {
  uint64_t n = waiting();
  if (n > 0) events.on_drop(DropReason::kTruncated, n);
  pending_total_ -= pending_.size();
  pending_.clear();
  dropped_tail_ = 0;
  responses_lost_ = true;
  request_since_loss_ = false;
}

bool DbSession::try_resume_responses() {
  if (!responses_lost_) return true;
  if (!request_since_loss_) return false;
  responses_lost_ = false;
  return true;
}

}  // namespace kscope::requests
