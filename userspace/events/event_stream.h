// Fan-out of kernel events to any number of consumers (`kscope trace`, the
// dashboard's WebSocket clients): publishers (the event reader, the request
// pipeline's poll thread), and per subscriber a bounded queue. A subscriber that falls behind loses
// the newest events, counted on it and in the stream's total, and never
// slows the publisher or the others.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "events/event.h"

namespace kscope {

using EventPtr = std::shared_ptr<const Event>;

class EventSubscription {
 public:
  EventSubscription(size_t capacity, std::shared_ptr<std::atomic<uint64_t>> stream_dropped)
      : capacity_(capacity == 0 ? 1 : capacity), stream_dropped_(std::move(stream_dropped)) {}

  // The oldest queued event, waiting up to `timeout`; nullopt on timeout or
  // once close() was called and the queue is empty.
  std::optional<EventPtr> pop(std::chrono::milliseconds timeout);
  // Everything queued now, oldest first, without waiting.
  std::vector<EventPtr> drain();
  // Wakes pop() for good (shutdown).
  void close();

  uint64_t dropped() const;
  uint64_t delivered() const;

 private:
  friend class EventStream;
  // False when the queue was full and the event was dropped.
  bool offer(const EventPtr& e);

  const size_t capacity_;
  const std::shared_ptr<std::atomic<uint64_t>> stream_dropped_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<EventPtr> queue_;
  uint64_t dropped_ = 0;
  uint64_t delivered_ = 0;
  bool closed_ = false;
};

struct EventStreamStats {
  uint64_t published = 0;
  uint64_t dropped = 0;  // summed over every subscriber there has been
  size_t subscribers = 0;
};

class EventStream {
 public:
  explicit EventStream(size_t recent_capacity = 256) : recent_capacity_(recent_capacity) {}

  // A new subscriber sees events published from now on. It unsubscribes by
  // releasing the returned pointer.
  std::shared_ptr<EventSubscription> subscribe(size_t capacity);

  void publish(EventPtr e);

  // The last events published (up to recent_capacity), oldest first: what
  // a newly opened dashboard shows before live events arrive.
  std::vector<EventPtr> recent() const;

  EventStreamStats stats() const;

  // Closes every subscription (their pop() returns).
  void close();

 private:
  const size_t recent_capacity_;
  mutable std::mutex mu_;
  std::vector<std::weak_ptr<EventSubscription>> subscribers_;
  std::deque<EventPtr> recent_;
  uint64_t published_ = 0;
  // Shared with the subscriptions, so drops outlive a released subscriber.
  std::shared_ptr<std::atomic<uint64_t>> dropped_ = std::make_shared<std::atomic<uint64_t>>(0);
};

}  // namespace kscope
