// The saturation of what a host and its cgroups run out of, from the
// families read from the kernel's files (userspace/host, userspace/cgroups)
// and the block probe: CPU, memory and I/O pressure, memory in use, disk
// latency and utilisation, CPU throttling. Host figures come from the host's
// own counters (PSI, meminfo, diskstats), never from summing cgroups;
// per-target figures exist for the cgroup breakdown, whose targets are the
// cgroups the kscope_cgroup_* families are labelled with.
#pragma once

#include <map>

#include "signals/metric_query.h"
#include "signals/signals.h"

namespace kscope {

void add_resource_signals(const IntervalPair& p, SignalSet& host, std::map<TargetId, SignalSet>& targets);

}  // namespace kscope
