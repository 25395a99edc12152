// A BPF program attached to the software cpu-clock of every online CPU at a
// given frequency (the profile probe's samples, the sched probe's run-queue
// length). Move-only: destroying it detaches and closes every event.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"

namespace kscope {

class PerfSampler {
 public:
  // Opens PERF_COUNT_SW_CPU_CLOCK with sample_freq = hz on each online CPU
  // and attaches prog. CPUs that are offline are skipped; no CPU at all is
  // an error.
  static Result<PerfSampler> attach(bpf_program* prog, uint32_t hz);

  PerfSampler() = default;
  PerfSampler(PerfSampler&&) = default;
  PerfSampler& operator=(PerfSampler&&) = default;

  size_t cpus() const { return links_.size(); }

 private:
  struct LinkDeleter {
    void operator()(bpf_link* l) const { bpf_link__destroy(l); }
  };
  // Each perf link owns its perf event fd (libbpf closes it on destroy).
  std::vector<std::unique_ptr<bpf_link, LinkDeleter>> links_;
};

// hz lowered by the CPU budget's divisor, at least 1 Hz.
inline uint32_t divided_rate(uint32_t hz, uint32_t divisor) {
  if (divisor <= 1) return hz;
  uint32_t r = (hz + divisor / 2) / divisor;
  return r > 0 ? r : 1;
}

}  // namespace kscope
