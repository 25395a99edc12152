// The exported buckets of size histograms (HistogramUnit::kBytes in
// collect/snapshot.h), shared by the text and protobuf renderers: the fine
// layout counts one unit per byte where latencies count nanoseconds, so the
// `le` slots are computed as if the byte boundaries were nanoseconds.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "model/histogram.h"

namespace kscope {

struct SizeBuckets {
  std::vector<double> le = size_le_bytes();
  std::vector<std::string> text;   // le as exposition text
  std::vector<uint32_t> slots;     // le_slot_per_bucket of le, in the fine layout's unit
  std::vector<uint64_t> cumulative;  // scratch, one per le

  SizeBuckets() {
    std::vector<double> as_seconds;
    for (double b : le) {
      text.push_back(std::to_string(static_cast<uint64_t>(b)));
      as_seconds.push_back(b * 1e-9);
    }
    slots = le_slot_per_bucket(as_seconds);
    cumulative.resize(le.size());
  }
};

// A size histogram's sum in bytes (Histogram keeps sums in seconds of its
// nanosecond unit).
inline double size_sum_bytes(const Histogram& h) { return std::round(h.sum_seconds * 1e9); }

}  // namespace kscope
