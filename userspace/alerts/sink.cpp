#include "alerts/sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/thread_name.h"

namespace kscope {

namespace {
constexpr auto kMaxBackoff = std::chrono::seconds(60);
}

SinkWorker::SinkWorker(SinkConfig config, std::unique_ptr<SinkTransport> transport)
    : config_(std::move(config)), transport_(std::move(transport)) {
  stats_.name = config_.name;
  stats_.type = config_.type;
  thread_ = std::thread([this] {
    name_this_thread("kscope-sink");
    loop();
  });
}

SinkWorker::~SinkWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool SinkWorker::enqueue(const Notification& n) {
  if (n.kind == Notification::Kind::kRefresh && !transport_->wants_refresh()) return true;
  if (n.alert.severity < config_.min_severity) return true;
  {
    std::lock_guard lock(mu_);
    if (queued_notes_ >= config_.queue_size) {
      ++stats_.dropped;
      return false;
    }
    queue_.push_back({{n}, false});
    ++queued_notes_;
  }
  cv_.notify_all();
  return true;
}

bool SinkWorker::enqueue_batch(std::vector<Notification> batch) {
  std::erase_if(batch, [&](const Notification& n) { return n.alert.severity < config_.min_severity; });
  if (batch.empty()) return true;
  {
    std::lock_guard lock(mu_);
    if (queued_notes_ + batch.size() > config_.queue_size && !queue_.empty()) {
      stats_.dropped += batch.size();
      return false;
    }
    queued_notes_ += batch.size();
    queue_.push_back({std::move(batch), true});
  }
  cv_.notify_all();
  return true;
}

SinkStats SinkWorker::stats() const {
  std::lock_guard lock(mu_);
  SinkStats s = stats_;
  s.queued = queued_notes_;
  return s;
}

bool SinkWorker::wait_idle(Nanos timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !in_flight_; });
}

void SinkWorker::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::vector<Notification> batch;
    if (queue_.front().whole) {
      batch = std::move(queue_.front().notes);
      queue_.pop_front();
    } else {
      while (!queue_.empty() && !queue_.front().whole && batch.size() < transport_->max_batch()) {
        batch.push_back(std::move(queue_.front().notes.front()));
        queue_.pop_front();
      }
    }
    queued_notes_ -= batch.size();
    in_flight_ = true;
    Nanos backoff = config_.backoff;
    for (uint32_t attempt = 0;; ++attempt) {
      lock.unlock();
      Status st = transport_->deliver(batch);
      lock.lock();
      if (st) {
        if (!stats_.up) spdlog::info("sink={} delivering again", config_.name);
        stats_.up = true;
        stats_.sent += batch.size();
        stats_.last_success = std::chrono::system_clock::now();
        break;
      }
      if (stats_.up) spdlog::warn("sink={} delivery failed, retrying: {}", config_.name, st.error().to_string());
      stats_.up = false;
      stats_.last_error = st.error().to_string();
      stats_.last_error_at = std::chrono::system_clock::now();
      if (attempt >= config_.retries || stopping_) {
        stats_.failed += batch.size();
        spdlog::error("sink={} gave up on {} notification(s) after {} attempt(s): {}", config_.name, batch.size(),
                      attempt + 1, stats_.last_error);
        break;
      }
      ++stats_.retries;
      cv_.wait_for(lock, backoff, [this] { return stopping_; });
      backoff = std::min<Nanos>(backoff * 2, kMaxBackoff);
    }
    in_flight_ = false;
    cv_.notify_all();
  }
}

}  // namespace kscope
