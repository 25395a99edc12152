// Ages out series whose value stopped changing, for probes whose kernel keys
// must stay (stack counts feed flame graphs) but whose per-target series
// would otherwise pile up with every process that ever ran.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "model/key_aging.h"
#include "model/snapshot.h"

namespace kscope {

class SeriesAging {
 public:
  explicit SeriesAging(KeyAging::Clock::duration ttl) : aging_(ttl) {}

  // Removes from `family` the series (keyed by their labels) whose value or
  // histogram count has not changed for longer than the ttl. Call once per
  // collection, before fold_breakdown, with every series of the family.
  void drop_idle(Family& family, KeyAging::Clock::time_point now);

 private:
  KeyAging aging_;
  std::unordered_map<std::string, uint64_t> expired_;  // labels key -> activity when it expired
};

}  // namespace kscope
