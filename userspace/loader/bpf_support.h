// libbpf plumbing shared by every probe: logging into spdlog, BPF run-time
// statistics, per-program stats, and reading per-CPU values.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "loader/probe.h"

namespace kscope {

// Routes libbpf's messages into spdlog (warnings as debug unless verbose:
// a probe that fails is reported once, with its reason, by the loader).
void install_libbpf_logging(bool verbose);

// The last libbpf/verifier output captured, for error messages.
std::string last_libbpf_log();
void clear_libbpf_log();

// Keeps BPF_STATS_RUN_TIME on for the life of the returned fd holder.
class BpfStatsEnabler {
 public:
  BpfStatsEnabler();
  ~BpfStatsEnabler();
  BpfStatsEnabler(const BpfStatsEnabler&) = delete;
  BpfStatsEnabler& operator=(const BpfStatsEnabler&) = delete;
  bool active() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Whether an administrator turned the statistics on for everyone
// (sysctl kernel.bpf_stats_enabled; a BpfStatsEnabler fd does not show there).
bool bpf_stats_sysctl_enabled();

// run_cnt / run_time_ns of every loaded program of an object, named by
// their function names.
std::vector<ProgramStats> object_program_stats(const bpf_object* obj);

// Sum of a per-CPU u64 array slot.
uint64_t percpu_u64_sum(const bpf_map* map, uint32_t slot);

int possible_cpus();


}  // namespace kscope
