// kscope's fine histogram (kscope/abi/hist.h) as a Prometheus native
// histogram: one series in the scraper's storage where classic buckets need
// one per `le`.
//
// Why schema 2. The fine buckets split each power of two of nanoseconds
// into 4 equal (linear) parts; a native histogram's schema n splits each
// power of two of the unit (seconds) into 2^n equal-ratio parts. No schema
// matches exactly: the linear split is not geometric, and 1 ns is not a
// power of two of a second (2^k ns = 2^(k - 29.897) s). Schema 2 has the
// same four buckets per power of two, and the fine upper bounds fall at
// fractions .103, .425, .688, .910 of a power of two of seconds, one in each
// quarter: every fine bucket gets a native bucket of its own, in order. A
// fine bucket is counted in the native bucket holding its upper bound (the
// rule of the classic `le` export: never report a call faster than it may
// have been), which overstates that bound by at most 11% (tested); coarser
// schemas would lose the fine resolution, finer ones would claim precision
// the kernel never had.
//
// Fine bucket 0 (under 128 ns) is the zero bucket (zero_threshold 128 ns).
// The last fine bucket (17.2 s and more, unbounded) goes in the native bucket
// after the one holding 17.2 s (19 s to 22.6 s): native buckets cannot be
// unbounded, so such calls read as about 20 s.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "model/histogram.h"

namespace kscope {

inline constexpr int32_t kNativeSchema = 2;

struct NativeHistogram {
  int32_t schema = kNativeSchema;
  double zero_threshold = 0;  // seconds
  uint64_t zero_count = 0;
  // Runs of consecutive buckets: (offset, length), the first offset being
  // the index of the first bucket, each later one the gap since the last run.
  std::vector<std::pair<int32_t, uint32_t>> spans;
  // Bucket counts in index order, each as the difference to the previous one.
  std::vector<int64_t> deltas;
};

// The native bucket index (upper bound 2^(index/4) s) of fine bucket i >= 1.
int32_t native_index_of_fine_bucket(int i);

// Upper bound in seconds of native bucket `index` at kNativeSchema.
double native_upper_seconds(int32_t index);

NativeHistogram to_native(const Histogram& h);

}  // namespace kscope
