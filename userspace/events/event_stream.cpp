#include "events/event_stream.h"

namespace kscope {

bool EventSubscription::offer(const EventPtr& e) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return true;
    if (queue_.size() >= capacity_) {
      ++dropped_;
      stream_dropped_->fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(e);
    ++delivered_;
  }
  cv_.notify_one();
  return true;
}

std::optional<EventPtr> EventSubscription::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return !queue_.empty() || closed_; });
  if (queue_.empty()) return std::nullopt;
  EventPtr e = std::move(queue_.front());
  queue_.pop_front();
  return e;
}

std::vector<EventPtr> EventSubscription::drain() {
  std::lock_guard lock(mu_);
  std::vector<EventPtr> out(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

void EventSubscription::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

uint64_t EventSubscription::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

uint64_t EventSubscription::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

std::shared_ptr<EventSubscription> EventStream::subscribe(size_t capacity) {
  auto sub = std::make_shared<EventSubscription>(capacity, dropped_);
  std::lock_guard lock(mu_);
  subscribers_.push_back(sub);
  return sub;
}

void EventStream::publish(EventPtr e) {
  std::vector<std::shared_ptr<EventSubscription>> live;
  {
    std::lock_guard lock(mu_);
    ++published_;
    recent_.push_back(e);
    if (recent_.size() > recent_capacity_) recent_.pop_front();
    live.reserve(subscribers_.size());
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
      if (auto s = it->lock()) {
        live.push_back(std::move(s));
        ++it;
      } else {
        it = subscribers_.erase(it);
      }
    }
  }
  // Outside the stream lock: a subscriber's lock is held only to queue.
  for (auto& s : live) s->offer(e);
}

std::vector<EventPtr> EventStream::recent() const {
  std::lock_guard lock(mu_);
  return {recent_.begin(), recent_.end()};
}

EventStreamStats EventStream::stats() const {
  EventStreamStats st;
  std::lock_guard lock(mu_);
  st.published = published_;
  st.dropped = dropped_->load(std::memory_order_relaxed);
  for (const auto& w : subscribers_) st.subscribers += w.expired() ? 0 : 1;
  return st;
}

void EventStream::close() {
  std::vector<std::shared_ptr<EventSubscription>> live;
  {
    std::lock_guard lock(mu_);
    for (const auto& w : subscribers_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->close();
}

}  // namespace kscope
