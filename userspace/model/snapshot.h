// What the collector publishes each interval: every metric family with its
// series, immutable once published. Readers (exposition, signals, alerts,
// API) hold a shared_ptr to one snapshot and never see it change.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/histogram.h"

namespace kscope {

enum class MetricType { kCounter, kGauge, kHistogram };

// Ordered label pairs; values are raw (unescaped) text from the kernel.
using Labels = std::vector<std::pair<std::string, std::string>>;

struct Series {
  Labels labels;
  double value = 0;                    // counters and gauges
  std::optional<Histogram> histogram;  // histograms (fine buckets)

  const std::string* label(std::string_view name) const;
};

// What a histogram family's fine buckets count. Latencies are nanoseconds,
// exported in seconds at the configured `le`s. Sizes use the same
// log-linear layout with one unit per byte (bpf/block.bpf.c records
// bytes - 1, so a power-of-two size is counted at its own `le`), exported in
// bytes at powers of two (kSizeLeBytes), classic buckets only.
enum class HistogramUnit { kSeconds, kBytes };

struct Family {
  std::string name;  // full Prometheus name, e.g. kscope_syscall_latency_seconds
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Series> series;
  HistogramUnit unit = HistogramUnit::kSeconds;
  // A kSeconds histogram's exported `le`s when the family has its own (the
  // HTTP durations use OpenTelemetry's); empty: the configured ones.
  std::vector<double> le_seconds;
};

struct Snapshot {
  std::chrono::system_clock::time_point taken_at{};
  std::chrono::steady_clock::time_point taken_steady{};
  uint64_t sequence = 0;
  std::vector<Family> families;

  const Family* find(std::string_view name) const;
};

// A counter's increase from `earlier` to `current`: a counter that went down
// was reset (its kernel map entry deleted and recreated), so its current
// value is the increase. Histogram::delta_since is the same rule per bucket.
inline double counter_delta(double current, double earlier) {
  return current >= earlier ? current - earlier : current;
}

// Single-writer, many-reader handoff of the latest snapshot.
class SnapshotStore {
 public:
  void publish(std::shared_ptr<const Snapshot> snapshot);
  // Never null: an empty snapshot before the first publish.
  std::shared_ptr<const Snapshot> latest() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> latest_ = std::make_shared<Snapshot>();
};

}  // namespace kscope
