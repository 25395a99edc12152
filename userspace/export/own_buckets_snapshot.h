// For the renderers' tests: two histogram families holding the same two
// durations (2.05 ms and 20 ms), "a_seconds" at the configured `le`s and
// "b_seconds" at its own (Family::le_seconds: 0.005 and 0.025).
#pragma once

#include "model/snapshot.h"

namespace kscope {

inline Snapshot own_buckets_snapshot() {
  Histogram h;
  h.record_ns(2'050'000);
  h.record_ns(20'000'000);
  Snapshot s;
  s.families.push_back({"a_seconds", "A.", MetricType::kHistogram, {{{}, 0, h}}});
  s.families.push_back({"b_seconds", "B.", MetricType::kHistogram, {{{}, 0, h}}, HistogramUnit::kSeconds,
                        {0.005, 0.025}});
  return s;
}

}  // namespace kscope
