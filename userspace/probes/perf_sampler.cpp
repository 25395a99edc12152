#include "probes/perf_sampler.h"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader/bpf_support.h"

namespace kscope {

Result<PerfSampler> PerfSampler::attach(bpf_program* prog, uint32_t hz) {
  PerfSampler out;
  int last_err = 0;
  for (int cpu = 0; cpu < possible_cpus(); ++cpu) {
    perf_event_attr attr = {};
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.freq = 1;
    attr.sample_freq = hz;
    int fd = static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
    if (fd < 0) {
      if (errno == ENODEV) continue;  // offline CPU
      last_err = errno;
      continue;
    }
    bpf_link* link = bpf_program__attach_perf_event(prog, fd);
    if (link == nullptr) {
      last_err = errno;
      close(fd);
      continue;
    }
    out.links_.emplace_back(link);
  }
  if (out.links_.empty()) {
    return Error("cannot sample the software cpu-clock on any CPU", "perf_event_open needs CAP_PERFMON",
                 last_err != 0 ? last_err : ENODEV);
  }
  return out;
}

}  // namespace kscope
