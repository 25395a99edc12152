#include "profiling/profile_session.h"

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "probes/profile_probe.h"
#include "probes/sched_probe.h"
#include "symbolize/target_process.h"

namespace kscope {
namespace {

Config probe_config(const ProfileRequest& r) {
  Config cfg;
  cfg.breakdown = Breakdown::kNone;
  cfg.filter_pid = r.tgid;
  cfg.filter_cgroup = r.cgroup;
  cfg.probes.profile.frequency = r.frequency;
  // Short-lived and on demand: room for a busy host's distinct stacks.
  cfg.probes.profile.max_stacks = 16384;
  cfg.probes.offcpu.max_stacks = 16384;
  cfg.probes.offcpu.enabled = r.kind == ProfileKind::kOffCpu;
  cfg.probes.offcpu.min_block = r.min_block;
  cfg.probes.offcpu.max_block = r.max_block;
  // Only off-CPU stacks are wanted from the sched probe here.
  cfg.probes.sched.enabled = false;
  return cfg;
}

std::string process_comm(uint32_t tgid) {
  std::ifstream in("/proc/" + std::to_string(tgid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

uint64_t sample_count(const std::vector<StackSample>& stacks) {
  uint64_t n = 0;
  for (const auto& s : stacks) n += s.count;
  return n;
}

}  // namespace

Result<Profile> record_profile(const ProfileRequest& request, Symbolizer& symbolizer,
                               const std::atomic<bool>* stop, const ProgressFn& progress) {
  if (request.frequency == 0 || request.frequency > 10000) {
    return Error("sampling frequency must be from 1 to 10000 Hz");
  }
  // A process that is not there would record nothing for the whole
  // duration; one that exits while recording ends the recording.
  std::optional<TargetProcess> target;
  if (request.tgid != 0) {
    auto found = find_target_process("/proc", static_cast<pid_t>(request.tgid));
    if (!found) return found.error();
    target = *found;
  }
  Config cfg = probe_config(request);
  std::unique_ptr<ProfileProbe> cpu;
  std::unique_ptr<SchedProbe> off;
  Status started = ok_status();
  if (request.kind == ProfileKind::kCpu) {
    cpu = create_profile_probe(StackKeys::kRecord);
    started = cpu->start(cfg);
  } else {
    off = create_sched_probe(StackKeys::kRecord);
    started = off->start(cfg);
  }
  if (!started) return started.error();
  auto read_stacks = [&] { return cpu ? cpu->cpu_stacks() : off->offcpu_stacks(); };

  auto t0 = std::chrono::steady_clock::now();
  auto deadline = t0 + request.duration;
  auto wall_start = std::chrono::system_clock::now();
  std::set<uint32_t> remembered;
  std::map<uint32_t, std::string> process_names;
  std::vector<StackSample> stacks;
  while (true) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline || (stop != nullptr && stop->load())) break;
    auto next = std::min(deadline, now + std::chrono::seconds(1));
    while (std::chrono::steady_clock::now() < next && !(stop != nullptr && stop->load())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stacks = read_stacks();
    // Snapshot the maps of new processes while they are alive.
    for (const auto& s : stacks) {
      if (s.tgid != 0 && remembered.insert(s.tgid).second) {
        (void)symbolizer.remember(static_cast<pid_t>(s.tgid));
        if (!request.process_name.empty()) process_names[s.tgid] = process_comm(s.tgid);
      }
    }
    if (progress) {
      progress({std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now() - t0), request.duration,
                sample_count(stacks)});
    }
    if (target && !target_running("/proc", *target)) break;
  }
  stacks = read_stacks();
  auto elapsed = std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now() - t0);
  cpu.reset();  // detach before the (slower) symbolization
  off.reset();

  if (!request.process_name.empty()) {
    std::erase_if(stacks, [&](const StackSample& s) {
      auto it = process_names.find(s.tgid);
      bool named = it != process_names.end() && it->second == request.process_name;
      return !named && s.comm != request.process_name;
    });
  }
  uint64_t period_ns = 1000000000ULL / request.frequency;
  Profile profile = build_profile(stacks, symbolizer, request.kind, period_ns, request.stacks);
  profile.set_duration_ns(static_cast<uint64_t>(elapsed.count()));
  profile.set_start_time_ns(std::chrono::duration_cast<Nanos>(wall_start.time_since_epoch()).count());
  return profile;
}

}  // namespace kscope
