#include "budget/dispatch_calibration.h"

#include <bpf/libbpf.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "dispatch_floor.skel.h"
#include "loader/skeleton.h"

namespace kscope {
namespace {

using Skeleton = SkeletonPtr<dispatch_floor_bpf, dispatch_floor_bpf__destroy>;

constexpr int kRounds = 7;
constexpr int kCalls = 20000;
// Above this, something other than dispatch was measured (a host so loaded
// that no round ran clean): no estimate rather than a wild one.
constexpr double kImplausibleNs = 20000;

uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// The calls: one fires sys_enter (and nothing else of note), the other
// task_rename (setting the thread's own name again).
struct Calls {
  char name[16] = {};
  void getppid_loop() const {
    for (int i = 0; i < kCalls; ++i) syscall(SYS_getppid);
  }
  void rename_loop() const {
    for (int i = 0; i < kCalls; ++i) prctl(PR_SET_NAME, name, 0, 0, 0);
  }
};

template <class Loop>
uint64_t timed(Loop loop) {
  uint64_t t0 = thread_cpu_ns();
  loop();
  return thread_cpu_ns() - t0;
}

Result<Skeleton> open_and_load() {
  std::string failures;
  for (bool btf : {true, false}) {
    Skeleton s(dispatch_floor_bpf__open());
    if (!s) return Error("dispatch calibration: open failed", std::strerror(errno));
    bpf_program__set_autoload(s->progs.floor_sys_enter, btf);
    bpf_program__set_autoload(s->progs.floor_task_rename, btf);
    bpf_program__set_autoload(s->progs.floor_sys_enter_raw, !btf);
    bpf_program__set_autoload(s->progs.floor_task_rename_raw, !btf);
    int err = dispatch_floor_bpf__load(s.get());
    if (err == 0) return s;
    failures += std::string(btf ? "tp_btf: " : "; raw_tp: ") + std::strerror(-err);
  }
  return Error("dispatch calibration: load failed", failures);
}

// Per-call cost of `prog` on `loop`'s calls: the fastest round with it
// attached minus the fastest without, per call. Negative (noise on a fast
// hook) reads as 0.
template <class Loop>
Result<double> per_run_ns(dispatch_floor_bpf* skel, bpf_program* prog, Loop loop) {
  uint64_t off = std::numeric_limits<uint64_t>::max(), on = off;
  loop();  // warm: page faults, caches
  for (int round = 0; round < kRounds; ++round) {
    off = std::min(off, timed(loop));
    bpf_link* link = bpf_program__attach(prog);
    if (link == nullptr) return Error("dispatch calibration: attach failed", std::strerror(errno));
    skel->bss->floor_runs = 0;
    uint64_t t = timed(loop);
    uint64_t runs = skel->bss->floor_runs;
    bpf_link__destroy(link);
    if (runs < kCalls / 2) {
      return Error("dispatch calibration: the hook did not fire",
                   std::to_string(runs) + " runs for " + std::to_string(kCalls) + " calls");
    }
    on = std::min(on, t);
  }
  double ns = (double(on) - double(off)) / kCalls;
  if (ns > kImplausibleNs) return Error("dispatch calibration: implausible", std::to_string(ns) + " ns per run");
  return std::max(ns, 0.0);
}

}  // namespace

DispatchCost calibrate_dispatch_cost() {
  DispatchCost cost;
  auto skel = open_and_load();
  if (!skel) {
    cost.reason = skel.error().to_string();
    return cost;
  }
  dispatch_floor_bpf* s = skel->get();
  bool btf = bpf_program__fd(s->progs.floor_sys_enter) >= 0;
  Calls calls;
  prctl(PR_GET_NAME, calls.name, 0, 0, 0);
  auto sys = per_run_ns(s, btf ? s->progs.floor_sys_enter : s->progs.floor_sys_enter_raw,
                        [&] { calls.getppid_loop(); });
  auto tp = per_run_ns(s, btf ? s->progs.floor_task_rename : s->progs.floor_task_rename_raw,
                       [&] { calls.rename_loop(); });
  if (!sys || !tp) {
    cost.reason = (!sys ? sys.error() : tp.error()).to_string();
    return cost;
  }
  cost.syscall_tracepoint_ns = *sys;
  cost.tracepoint_ns = *tp;
  cost.calibrated = true;
  return cost;
}

}  // namespace kscope
