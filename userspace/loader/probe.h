// A probe family: one BPF object, its programs and maps, and the metrics it
// turns them into. Probes are independent: one that cannot load is reported
// and the others run.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"
#include "common/result.h"
#include "config/config.h"
#include "loader/program_hook.h"

namespace kscope {

// Per-program kernel statistics (BPF_ENABLE_STATS must be on).
struct ProgramStats {
  std::string name;
  uint64_t run_count = 0;
  uint64_t run_time_ns = 0;
  ProgramHook hook = ProgramHook::kOther;
};

// A probe's state as shown by health, check and kscope_probe_up.
struct ProbeStatus {
  std::string name;
  bool up = false;
  std::string reason;  // why it is down
};

// Collection context handed to Probe::collect each interval.
struct CollectContext {
  const Config& config;
  std::vector<Family>& out;
};

// Where a probe sends discrete events: its BPF ring buffer, and the stack
// map its events' stack ids index (-1 when it has none).
struct EventSource {
  std::string probe;
  int ring_fd = -1;
  int stack_map_fd = -1;
};

class Probe {
 public:
  virtual ~Probe() = default;

  // Short name used in metrics, logs and `kscope check` ("syscalls").
  virtual std::string_view name() const = 0;

  // Opens the object, sets tunables from config, loads and attaches. On
  // error the probe holds nothing and may be dropped.
  virtual Status start(const Config& config) = 0;

  // Reads the maps and appends metric families. Called from the collector
  // thread only.
  virtual void collect(CollectContext& ctx) = 0;

  // Kernel run statistics of the attached programs.
  virtual std::vector<ProgramStats> program_stats() const = 0;

  // Counts of events dropped because a map was full, by map name.
  virtual std::vector<std::pair<std::string, uint64_t>> map_overflows() const { return {}; }
  // Counts of events lost on the way to userspace (ring buffer full).
  virtual uint64_t events_lost() const { return 0; }
  // The probe's event ring buffer, when it was asked for events.
  virtual std::optional<EventSource> event_source() const { return std::nullopt; }

  // Levers of the CPU budget (userspace/budget/), called from the collector
  // thread. detach() takes the programs off their hooks but keeps the object
  // and its maps loaded, so counters continue where they stopped after
  // attach(); the kernel side ignores per-task timestamps taken before the
  // latest attach (bpf/lib/attach_time.bpf.h).
  virtual Status detach() = 0;
  virtual Status attach() = 0;
  // Whether the probe samples on the cpu-clock; set_sampling_divisor(d)
  // runs those samplers at 1/d of their configured rate (at least 1 Hz).
  virtual bool samples() const { return false; }
  virtual Status set_sampling_divisor(uint32_t divisor) {
    (void)divisor;
    return ok_status();
  }
};

}  // namespace kscope
