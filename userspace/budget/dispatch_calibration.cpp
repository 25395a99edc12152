#include "budget/dispatch_calibration.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

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
    bpf_program__set_autoload(s->progs.floor_sys_exit, btf);
    bpf_program__set_autoload(s->progs.floor_sys_exit_raw, !btf);
    bpf_program__set_autoload(s->progs.floor_task_rename, btf);
    bpf_program__set_autoload(s->progs.floor_sys_enter_raw, !btf);
    bpf_program__set_autoload(s->progs.floor_task_rename_raw, !btf);
    int err = dispatch_floor_bpf__load(s.get());
    if (err == 0) return s;
    failures += std::string(btf ? "tp_btf: " : "; raw_tp: ") + std::strerror(-err);
  }
  return Error("dispatch calibration: load failed", failures);
}

// What `first`, then `second` beside it, add to each of `loop`'s calls: the
// fastest round with nothing, with `first`, and with both (when `second` is
// given) are compared. Negative (noise on a cheap hook) reads as 0.
struct Marginal {
  double first_ns = 0;
  double second_ns = 0;
};

class Links {
 public:
  ~Links() { clear(); }
  bool attach(bpf_program* p) {
    bpf_link* l = bpf_program__attach(p);
    if (l == nullptr) return false;
    links_.push_back(l);
    return true;
  }
  void clear() {
    for (auto* l : links_) bpf_link__destroy(l);
    links_.clear();
  }

 private:
  std::vector<bpf_link*> links_;
};

// The program's mean run time by the kernel's BPF statistics; 0 when they
// are off.
double stats_run_ns(const bpf_program* prog) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) != 0 || info.run_cnt == 0) return 0;
  return double(info.run_time_ns) / double(info.run_cnt);
}

template <class Loop>
Result<Marginal> marginal_ns(dispatch_floor_bpf* skel, bpf_program* first, bpf_program* second, Loop loop) {
  constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
  uint64_t none = kNever, one = kNever, two = kNever;
  loop();  // warm: page faults, caches
  for (int round = 0; round < kRounds; ++round) {
    none = std::min(none, timed(loop));
    Links links;
    if (!links.attach(first)) return Error("dispatch calibration: attach failed", std::strerror(errno));
    skel->bss->floor_runs = 0;
    one = std::min(one, timed(loop));
    if (skel->bss->floor_runs < uint64_t(kCalls / 2)) {
      return Error("dispatch calibration: the hook did not fire",
                   std::to_string(skel->bss->floor_runs) + " runs for " + std::to_string(kCalls) + " calls");
    }
    if (second == nullptr) continue;
    if (!links.attach(second)) return Error("dispatch calibration: attach failed", std::strerror(errno));
    two = std::min(two, timed(loop));
  }
  // With BPF statistics on, each empty program's own run time (mostly the
  // clock read that closes it) is inside what was timed and is also what the
  // statistics report for it: taken out here, since the budget adds the
  // statistics' run time of kscope's programs beside this estimate.
  Marginal m;
  m.first_ns = std::max((double(one) - double(none)) / kCalls - stats_run_ns(first), 0.0);
  if (second != nullptr) m.second_ns = std::max((double(two) - double(one)) / kCalls - stats_run_ns(second), 0.0);
  if (m.first_ns > kImplausibleNs || m.second_ns > kImplausibleNs) {
    return Error("dispatch calibration: implausible", std::to_string(std::max(m.first_ns, m.second_ns)) + " ns per run");
  }
  return m;
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
  // The first program on the syscall path brings the slow path and its
  // dispatch; the second (sys_exit) its dispatch alone.
  auto sys = marginal_ns(s, btf ? s->progs.floor_sys_enter : s->progs.floor_sys_enter_raw,
                         btf ? s->progs.floor_sys_exit : s->progs.floor_sys_exit_raw, [&] { calls.getppid_loop(); });
  auto tp = marginal_ns(s, btf ? s->progs.floor_task_rename : s->progs.floor_task_rename_raw, nullptr,
                        [&] { calls.rename_loop(); });
  if (!sys || !tp) {
    cost.reason = (!sys ? sys.error() : tp.error()).to_string();
    return cost;
  }
  cost.syscall_dispatch_ns = sys->second_ns;
  cost.syscall_slow_path_ns = std::max(sys->first_ns - sys->second_ns, 0.0);
  cost.tracepoint_ns = tp->first_ns;
  cost.calibrated = true;
  return cost;
}

}  // namespace kscope
