// Alert sinks. Each sink has a bounded queue and its own worker thread, so a
// slow or dead receiver never blocks collection: enqueue() only takes a lock
// and a full queue drops (counted). A failed delivery is retried with
// exponential backoff; the sink reports itself down until one succeeds.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert.h"
#include "common/result.h"
#include "config/alerts_config.h"

namespace kscope {

// How a sink talks to its receiver. deliver() runs on the worker thread.
class SinkTransport {
 public:
  virtual ~SinkTransport() = default;
  // Delivers one batch; an error is retried.
  virtual Status deliver(const std::vector<Notification>& batch) = 0;
  // Whether still-firing refreshes are wanted (Alertmanager) or only changes.
  virtual bool wants_refresh() const { return false; }
  // Largest batch per delivery.
  virtual size_t max_batch() const { return 1; }
};

struct SinkStats {
  std::string name;
  SinkType type = SinkType::kLog;
  bool up = true;           // the last delivery succeeded (or none was tried)
  std::string last_error;   // of the last failed attempt
  WallTime last_success{};  // when a delivery last succeeded; zero: never
  WallTime last_error_at{};  // when an attempt last failed; zero: never
  uint64_t sent = 0;        // notifications delivered
  uint64_t failed = 0;      // given up on after every retry
  uint64_t dropped = 0;     // queue full
  uint64_t retries = 0;     // failed attempts that were retried
  size_t queued = 0;
};

class SinkWorker {
 public:
  SinkWorker(SinkConfig config, std::unique_ptr<SinkTransport> transport);
  ~SinkWorker();  // stops after the delivery in flight (bounded by the timeout)
  SinkWorker(const SinkWorker&) = delete;
  SinkWorker& operator=(const SinkWorker&) = delete;

  // Never blocks on the receiver. False when the notification was dropped
  // (queue full); notifications the sink does not want (below min_severity,
  // refreshes for change-only sinks) are skipped and return true.
  bool enqueue(const Notification& n);
  // One message: the batch goes to the transport in one deliver() call
  // (a group of alerts from the notification policy), after dropping what
  // is below min_severity. False when dropped (queue full).
  bool enqueue_batch(std::vector<Notification> batch);
  // Alertmanager-like sinks get every change and refresh as it happens and
  // group, silence and repeat by themselves; the others are fed by the
  // notification policy.
  bool forwards_all() const { return transport_->wants_refresh(); }

  SinkStats stats() const;
  const SinkConfig& config() const { return config_; }

  // Blocks until the queue is empty and nothing is in flight, or timeout (tests).
  bool wait_idle(Nanos timeout);

 private:
  void loop();

  SinkConfig config_;
  std::unique_ptr<SinkTransport> transport_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct Entry {
    std::vector<Notification> notes;
    bool whole = false;  // enqueue_batch: delivered as it is, never split or joined
  };
  std::deque<Entry> queue_;
  size_t queued_notes_ = 0;
  bool in_flight_ = false;
  bool stopping_ = false;
  SinkStats stats_;
  std::thread thread_;
};

// The transport for a sink's config: log, webhook (json or slack),
// alertmanager, or a channel to people (email, slack, discord, teams,
// pagerduty: alerts/channel_sinks.h). Fails when token_env names an unset
// variable or a secret (SMTP password, routing key) cannot be read.
// dashboard: the base URL of links in messages (api_base_url).
Result<std::unique_ptr<SinkTransport>> make_sink_transport(const SinkConfig& config, Nanos resend_interval,
                                                           const std::string& dashboard = "");

}  // namespace kscope
