// A counter family summed per breakdown label value, for probes whose kernel
// keys are finer than the metric (stacks, processes).
#pragma once

#include <map>
#include <string>

#include "model/series_aging.h"
#include "model/snapshot.h"

namespace kscope {

// One series per target label set in totals (TargetLabeler::labels: the
// breakdown label, and kernel="true" for kernel threads; empty when there is
// no breakdown), capped at max_series values of `label` with the rest in
// "other". With `aging`, values idle for its ttl (exited targets) are left
// out first.
Family breakdown_counter(std::string name, std::string help, const std::string& label,
                         const std::map<Labels, double>& totals, size_t max_series,
                         SeriesAging* aging = nullptr);

}  // namespace kscope
