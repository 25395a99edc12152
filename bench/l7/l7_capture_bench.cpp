// Holds one of three things attached while bench/l7/run.sh drives nginx
// with ab, and prints what the kernel spent on it:
//   none   nothing attached (the baseline)
//   floor  an empty program on the raw sys_enter tracepoint: the slow
//          syscall path any syscall tracepoint costs, and no more
//   l7     the l7 probe, its records read and counted (no engine)
// Usage: l7_capture_bench MODE SECONDS. Prints "ready" once attached, then
// at the end (or SIGTERM/SIGINT) one line of key=value.
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "config/config.h"
#include "loader/bpf_support.h"
#include "probes/l7_probe.h"

namespace {

std::atomic<bool> stop{false};

void on_signal(int) { stop = true; }

// r0 = 0; exit: the least a raw tracepoint program can be. Returns the
// attachment's fd (the program stays attached while it is open).
int attach_empty_sys_enter() {
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  int prog = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "floor", "GPL", insns, 2, nullptr);
  if (prog < 0) return prog;
  return bpf_raw_tracepoint_open("sys_enter", prog);
}

}  // namespace

int main(int argc, char** argv) {
  // stdout is the protocol with run.sh ("ready", then one line): the
  // probe's info logs (the libssl files it hooks) would break it.
  spdlog::set_level(spdlog::level::warn);
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s none|floor|l7 SECONDS\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  // "+stats": the kernel's BPF run-time statistics on, for the BPF time per
  // request. They cost every program run two clock reads (sched_clock, a
  // pvclock read on KVM), so the CPU columns are taken without them, as
  // `kscope run` runs by default (no budget).
  const bool with_stats = mode.size() > 6 && mode.compare(mode.size() - 6, 6, "+stats") == 0;
  if (with_stats) mode.resize(mode.size() - 6);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(argv[2]));
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  std::unique_ptr<kscope::BpfStatsEnabler> stats;
  if (with_stats) stats = std::make_unique<kscope::BpfStatsEnabler>();
  std::unique_ptr<kscope::L7Probe> probe;
  uint64_t records = 0, bytes = 0;
  if (mode == "floor") {
    if (attach_empty_sys_enter() < 0) {
      std::fprintf(stderr, "floor: %s\n", std::strerror(errno));
      return 1;
    }
  } else if (mode == "l7") {
    kscope::Config config;
    config.probes.l7.enabled = true;
    probe = kscope::make_l7_capture();
    probe->set_listener({[&](const kscope::requests::ConnectionEvent&) { ++records; },
                         [&](const kscope::requests::SocketData& d) {
                           ++records;
                           bytes += d.prefix.size();
                         }});
    auto st = probe->start(config);
    if (!st) {
      std::fprintf(stderr, "l7: %s\n", st.error().to_string().c_str());
      return 1;
    }
  } else if (mode != "none") {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  while (!stop && std::chrono::steady_clock::now() < deadline) {
    if (probe) {
      (void)probe->poll(std::chrono::milliseconds(50));
    } else {
      usleep(50000);
    }
  }
  uint64_t runs = 0, run_ns = 0, dropped = 0;
  if (probe) {
    (void)probe->poll(std::chrono::milliseconds(0));
    for (const auto& p : probe->program_stats()) {
      runs += p.run_count;
      run_ns += p.run_time_ns;
    }
    std::vector<kscope::Family> out;
    kscope::Config config;
    kscope::CollectContext ctx{config, out};
    probe->collect(ctx);
    for (const auto& f : out) {
      if (f.name != "kscope_l7_dropped_total") continue;
      for (const auto& s : f.series) dropped += uint64_t(s.value);
    }
  }
  if (with_stats) mode += "+stats";
  std::printf("mode=%s records=%llu captured_bytes=%llu bpf_runs=%llu bpf_run_ns=%llu dropped=%llu\n", mode.c_str(),
              (unsigned long long)records, (unsigned long long)bytes, (unsigned long long)runs,
              (unsigned long long)run_ns, (unsigned long long)dropped);
  return 0;
}
