// The syscall families in sampling mode (probes.syscalls.sampling,
// docs/sampling.md): the probe counts only while attached (duty_cycle.h),
// so its raw cumulative counters are turned into estimates of what it
// would have counted attached all the time, per series and per histogram
// bucket:
//
// - At the first collection of each period a window closes: its raw
//   increase is multiplied by (wall time of the window / time the programs
//   were really attached in it), both measured, not the nominal on and
//   period, so a late attach, a slow detach or a failed attach do not bias
//   the estimate. A window never attached adds nothing.
// - That scaled increase is added to the exported value linearly over the
//   next `spread` (the nominal period), so a rate over any interval reads
//   the last window's rate instead of nothing for nine seconds and ten
//   times the rate in the tenth. The exported values are therefore one
//   period late, and they never go down (a Prometheus counter).
// - Histogram buckets are scaled the same way and exported rounded down, so
//   latency percentiles are those of the calls seen; the sum of latencies
//   is scaled like the counts.
// - Every series gains the label sampled="true".
//
// Not thread-safe: the collector thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collect/duty_cycle.h"
#include "model/snapshot.h"
#include "common/duration.h"

namespace kscope {

inline constexpr const char* kSampledLabel = "sampled";

// The estimated increase over a window whose raw increase was counted
// while attached for w.attached_seconds of its w.wall_seconds: 0 for a
// window never attached (nothing seen, nothing claimed).
double scaled_increase(double raw_increase, const DutyCycle::Window& w);

class SampledCounters {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SampledCounters(Nanos spread, Clock::time_point start);

  // Rewrites families[first..] (the probe's raw counters and histograms of
  // this collection, cumulative since it started) into the estimates.
  // `closed`: the window that closed at this collection, if one did.
  void apply(std::vector<Family>& families, size_t first, Clock::time_point now,
             const std::optional<DutyCycle::Window>& closed);

  size_t tracked_series() const { return tracks_.size(); }

 private:
  // One estimated number: the windows fully added, and the last window's
  // increase being added over `spread`.
  struct Estimate {
    double committed = 0;
    double pending = 0;
    double at(double fraction) const { return committed + pending * fraction; }
    void commit() {
      committed += pending;
      pending = 0;
    }
  };
  struct Track {
    double raw_value = 0;  // raw value at the last close (counters)
    Histogram raw_histogram;
    Estimate value;
    Estimate sum;  // histograms: sum of latencies
    int first_bucket = 0;
    std::vector<Estimate> buckets;  // fine buckets from first_bucket
    uint64_t seen = 0;
    Estimate& bucket(int i);
  };

  void close(Track& t, const Series& raw, const DutyCycle::Window& w);
  static void write(const Track& t, double fraction, Series& out);

  Nanos spread_;
  Clock::time_point last_close_;
  uint64_t round_ = 0;
  std::unordered_map<std::string, Track> tracks_;
};

}  // namespace kscope
