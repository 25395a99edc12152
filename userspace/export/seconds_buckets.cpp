#include "export/seconds_buckets.h"

#include "export/prometheus.h"

namespace kscope {

SecondsBuckets::SecondsBuckets(std::vector<double> le_seconds)
    : le(std::move(le_seconds)), slots(le_slot_per_bucket(le)), cumulative(le.size()) {
  text.reserve(le.size());
  for (double b : le) text.push_back(prometheus_number(b));
}

SecondsBuckets& SecondsBucketSets::of(const Family& family) {
  if (family.le_seconds.empty()) return configured_;
  for (auto& set : own_) {
    if (set.le == family.le_seconds) return set;
  }
  return own_.emplace_back(family.le_seconds);
}

}  // namespace kscope
