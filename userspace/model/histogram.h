// The userspace side of the log-linear histogram in kscope/abi/hist.h:
// bucket bounds, merging, percentiles, and the coarse Prometheus view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kscope/abi/hist.h"

namespace kscope {

// Lower and upper bound of fine bucket i, in nanoseconds. The last bucket's
// upper bound is infinity.
double hist_bucket_lower_ns(int i);
double hist_bucket_upper_ns(int i);

// A latency distribution in the fine in-kernel layout. Only the span from
// the first to the last non-empty bucket is stored: a snapshot holds one per
// (syscall, target) series, often ten thousand on a busy host, and a typical
// one spans 10-30 of the 110 buckets (the dense array was ~1 KB a series).
class Histogram {
 public:
  static Histogram from_kernel(const kscope_hist& h);

  // Count in fine bucket i (0 outside the stored span).
  uint64_t bucket(int i) const {
    const int k = i - first_;
    return k >= 0 && k < static_cast<int>(counts_.size()) ? counts_[static_cast<size_t>(k)] : 0;
  }
  // The stored span [begin, end): every non-empty bucket lies in it.
  int begin_bucket() const { return first_; }
  int end_bucket() const { return first_ + static_cast<int>(counts_.size()); }
  void add_to_bucket(int i, uint64_t n);

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

  // True when some bucket holds fewer than in `earlier`: the kernel map
  // entry was deleted and recreated.
  bool went_backwards_from(const Histogram& earlier) const;

  // Bucket-wise difference this - earlier (for rates); counters that went
  // backwards (map entry deleted and recreated) yield this histogram as is.
  Histogram delta_since(const Histogram& earlier) const;

  // Heap bytes held (for memory accounting).
  size_t heap_bytes() const { return counts_.capacity() * sizeof(uint64_t); }

  double sum_seconds = 0;

 private:
  void trim();

  int first_ = 0;
  std::vector<uint64_t> counts_;
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

// The exported `le`s of size histograms (HistogramUnit::kBytes): powers of
// two from 512 bytes to 4 MiB, a block device's range of request sizes.
const std::vector<double>& size_le_bytes();

}  // namespace kscope
