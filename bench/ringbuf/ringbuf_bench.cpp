// How many events per second the ring-buffer path carries without loss on
// this machine, and what one event costs.
//
// Events are slow-syscall events with the threshold at 1 ns, limited to
// getppid from this process, so every getppid the generator makes is one
// event (with its user and kernel stack ids, as in production). The
// generator paces itself at each target rate for a fixed time; the reader
// is kscope's EventReader (epoll with batched wakeups + poll timeout),
// decoding, resolving both stacks and handing each event on.
//
//   build/bench/ringbuf_bench [seconds per step]      (root)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "common/privileges.h"
#include "events/event_reader.h"
#include "loader/bpf_support.h"
#include "probes/syscall_names.h"
#include "probes/syscalls_probe.h"

using namespace kscope;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double process_cpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

struct Step {
  uint64_t calls = 0;
  double seconds = 0;
  double gen_cpu = 0;
};

// getppid at `rate` per second (0: as fast as possible) for `secs`.
Step generate(double rate, double secs) {
  Step s;
  double c0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  auto t0 = Clock::now();
  auto end = t0 + std::chrono::duration<double>(secs);
  for (auto now = t0; now < end; now = Clock::now()) {
    uint64_t due = rate > 0 ? uint64_t(std::chrono::duration<double>(now - t0).count() * rate) : s.calls + 256;
    while (s.calls < due) {
      syscall(SYS_getppid);
      ++s.calls;
    }
    if (rate > 0 && rate < 200000) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  s.gen_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
  return s;
}

std::unique_ptr<Probe> load(Nanos threshold, uint32_t ring_bytes, bool stacks) {
  Config cfg;
  cfg.breakdown = Breakdown::kNone;
  cfg.filter_pid = static_cast<uint32_t>(getpid());
  cfg.probes.syscalls.slow_threshold = threshold;
  SyscallsProbeOptions o;
  o.slow_syscalls = {*syscall_number("getppid")};
  o.ring_buffer_bytes = ring_bytes;
  o.exclude_self = false;
  o.stacks = stacks;
  auto p = make_syscalls_probe(o);
  if (auto st = p->start(cfg); !st) {
    std::fprintf(stderr, "load failed: %s\n", st.error().to_string().c_str());
    std::exit(1);
  }
  return p;
}

// ns per getppid, unthrottled, with the probe as loaded.
double ns_per_call(double secs) {
  Step s = generate(0, secs);
  return s.seconds * 1e9 / double(s.calls);
}

void sweep(bool stacks, double secs, double base) {
  uint32_t ring = 1 << 22;
  auto probe = load(Nanos(1), ring, stacks);
  std::atomic<uint64_t> received{0};
  auto reader = EventReader::create({*probe->event_source()}, [&](EventPtr) { received.fetch_add(1); });
  if (!reader) std::exit(1);
  (*reader)->start(std::chrono::milliseconds(100));
  double with_events = ns_per_call(secs);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::printf("\n%s: getppid %.0f ns without events, %.0f ns with one event each: %.0f ns per event in the kernel\n",
              stacks ? "with stacks" : "without stacks", base, with_events, with_events - base);
  std::printf("%12s %12s %12s %10s %14s\n", "target/s", "events/s", "lost", "lost %", "reader us/ev");
  for (double rate : {10000.0, 50000.0, 100000.0, 200000.0, 400000.0, 0.0}) {
    uint64_t r0 = received.load(), l0 = probe->events_lost();
    double p0 = process_cpu();
    Step s = generate(rate, secs);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // drain
    uint64_t got = received.load() - r0, lost = probe->events_lost() - l0;
    double reader_cpu = process_cpu() - p0 - s.gen_cpu;
    std::printf("%12s %12.0f %12lu %9.2f%% %14.2f\n", rate > 0 ? std::to_string(uint64_t(rate)).c_str() : "max",
                double(got) / s.seconds, (unsigned long)lost, 100.0 * double(lost) / double(s.calls),
                got ? reader_cpu * 1e6 / double(got) : 0.0);
  }
  (*reader)->stop();
}

}  // namespace

int main(int argc, char** argv) {
  double secs = argc > 1 ? std::atof(argv[1]) : 3.0;
  if (!check_bpf_privileges()) {
    std::fprintf(stderr, "needs root\n");
    return 1;
  }
  install_libbpf_logging(false);
  double base = 0;
  {
    auto off = load(Nanos(0), 1 << 20, true);
    base = ns_per_call(secs);
  }
  std::printf("ring buffer 4096 KiB, wakeup at 1/4 full, reader poll timeout 100 ms\n");
  sweep(false, secs, base);
  sweep(true, secs, base);
  return 0;
}
