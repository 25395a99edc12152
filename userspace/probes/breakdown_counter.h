// A counter family summed per breakdown label value, for probes whose kernel
// keys are finer than the metric (stacks, processes).
#pragma once

#include <map>
#include <string>

#include "collect/series_aging.h"
#include "collect/snapshot.h"

namespace kscope {

// One series per value of `label` in totals (a single unlabeled series when
// label is empty), capped at max_series values with the rest in "other".
// With `aging`, values idle for its ttl (exited targets) are left out first.
Family breakdown_counter(std::string name, std::string help, const std::string& label,
                         const std::map<std::string, double>& totals, size_t max_series,
                         SeriesAging* aging = nullptr);

}  // namespace kscope
