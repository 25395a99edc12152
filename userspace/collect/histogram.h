// The userspace side of the log-linear histogram in kscope/abi/hist.h:
// bucket bounds, merging, percentiles, and the coarse Prometheus view.
#pragma once

#include <cstdint>
#include <vector>

#include "kscope/abi/hist.h"

namespace kscope {

// Lower and upper bound of fine bucket i, in nanoseconds. The last bucket's
// upper bound is infinity.
double hist_bucket_lower_ns(int i);
double hist_bucket_upper_ns(int i);

// A latency distribution in the fine in-kernel layout.
struct Histogram {
  std::vector<uint64_t> buckets = std::vector<uint64_t>(KSCOPE_HIST_BUCKETS, 0);
  double sum_seconds = 0;

  static Histogram from_kernel(const kscope_hist& h);

  uint64_t count() const;
  void add(const Histogram& other);
  // Records one value (tests and synthetic data).
  void record_ns(uint64_t ns);

  // Value below which fraction q (0..1) of the observations fall, in
  // seconds, interpolated linearly inside the bucket. 0 when empty.
  double quantile_seconds(double q) const;

  // Observations at or below limit_ns, interpolating inside the bucket that
  // straddles it.
  double count_below_ns(double limit_ns) const;

  // Bucket-wise difference this - earlier (for rates); counters that went
  // backwards (map entry deleted and recreated) yield this histogram as is.
  Histogram delta_since(const Histogram& earlier) const;
};

// Cumulative counts for the exported `le` boundaries (seconds, ascending).
// A fine bucket is counted in the first boundary at or above its upper bound,
// so a reported "le" never claims a call was faster than it may have been.
std::vector<uint64_t> cumulative_counts(const Histogram& h, const std::vector<double>& le_seconds);

// The same in two steps, for rendering many histograms at one boundary set:
// which `le` each fine bucket counts in (le_seconds.size(): only in +Inf),
// computed once, then the cumulative counts of one histogram into `out`
// (one entry per boundary, sized by the caller) without allocating.
std::vector<uint32_t> le_slot_per_bucket(const std::vector<double>& le_seconds);
void cumulative_counts_into(const Histogram& h, const std::vector<uint32_t>& slots, std::vector<uint64_t>& out);

// The default exported boundaries: 10us .. 10s, 1-2.5-5 steps (19 values).
const std::vector<double>& default_le_seconds();

}  // namespace kscope
