// The syscall probe against the real kernel: exact counts for a workload
// whose syscalls are known.
#include <gtest/gtest.h>

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "bpf_test_support.h"
#include "probes/syscalls_probe.h"

namespace kscope {
namespace {

using testing::find_series;

// A thread that makes `first` getppid calls, then spins on an atomic (no
// syscall) until released, then makes `second` more: nothing else passes
// through its slot cache in between.
class GetppidBursts {
 public:
  GetppidBursts(int first, int second)
      : worker_([this, first, second] {
          for (int i = 0; i < first; ++i) syscall(SYS_getppid);
          phase_ = 1;
          while (phase_.load() != 2) {
          }
          for (int i = 0; i < second; ++i) syscall(SYS_getppid);
        }) {}
  ~GetppidBursts() { finish(); }
  void wait_first() const {
    while (phase_.load() != 1) {
    }
  }
  void finish() {
    phase_ = 2;
    if (worker_.joinable()) worker_.join();
  }

 private:
  std::atomic<int> phase_{0};
  std::thread worker_;
};

// Names this process (the main thread leads the group) for a scope.
class ScopedProcessName {
 public:
  explicit ScopedProcessName(const std::string& name) {
    prctl(PR_GET_NAME, saved_);
    prctl(PR_SET_NAME, name.c_str());
  }
  ~ScopedProcessName() { prctl(PR_SET_NAME, saved_); }

 private:
  char saved_[16] = {};
};

class SyscallsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override { KSCOPE_REQUIRE_BPF(); }

  // Broken down by process name, this process only.
  static Config own_process_config() {
    Config cfg;
    cfg.breakdown = Breakdown::kComm;
    cfg.filter_pid = static_cast<uint32_t>(getpid());
    return cfg;
  }

  std::vector<Family> collect(Probe& probe, const Config& cfg) {
    std::vector<Family> out;
    CollectContext ctx{cfg, out};
    probe.collect(ctx);
    return out;
  }
};

TEST_F(SyscallsProbeTest, CountsExactlyAndPlacesLatencyAndErrors) {
  constexpr int kCalls = 50;
  Config cfg;
  cfg.breakdown = Breakdown::kComm;
  auto probe = make_syscalls_probe();
  auto st = probe->start(cfg);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  std::string comm = testing::unique_comm("sys");
  ASSERT_EQ(testing::run_to_completion({testing::workload("syscall_workload"), comm, std::to_string(kCalls), "2000"}),
            0);
  auto families = collect(*probe, cfg);

  const Series* sleep = find_series(families, "kscope_syscall_latency_seconds", {{"syscall", "nanosleep"}, {"comm", comm}});
  ASSERT_NE(sleep, nullptr);
  ASSERT_TRUE(sleep->histogram.has_value());
  EXPECT_EQ(sleep->histogram->count(), static_cast<uint64_t>(kCalls));
  // Every call slept at least 2 ms (the lowest bucket that can hold 2 ms
  // starts at 1.835 ms); the median stays near 2 ms even on a busy machine.
  EXPECT_GE(sleep->histogram->quantile_seconds(0.01), 1.8e-3);
  EXPECT_LT(sleep->histogram->quantile_seconds(0.5), 10e-3);
  EXPECT_EQ(sleep->histogram->count_below_ns(1.8e6), 0);
  EXPECT_NEAR(sleep->histogram->sum_seconds, kCalls * 2e-3, kCalls * 2e-3);
  // A sleep is an idle wait, an open is not (probes/idle_waits.h).
  ASSERT_NE(sleep->label("idle"), nullptr);
  EXPECT_EQ(*sleep->label("idle"), "true");

  const Series* opens = find_series(families, "kscope_syscall_latency_seconds", {{"syscall", "openat"}, {"comm", comm}});
  ASSERT_NE(opens, nullptr);
  EXPECT_EQ(opens->histogram->count(), static_cast<uint64_t>(kCalls));
  EXPECT_EQ(opens->label("idle"), nullptr);

  const Series* enoent =
      find_series(families, "kscope_syscall_errors_total", {{"syscall", "openat"}, {"errno", "ENOENT"}, {"comm", comm}});
  ASSERT_NE(enoent, nullptr);
  EXPECT_EQ(enoent->value, kCalls);
  EXPECT_EQ(find_series(families, "kscope_syscall_errors_total", {{"syscall", "nanosleep"}, {"comm", comm}}), nullptr);

  // Counters are cumulative: a second run adds exactly as much again.
  ASSERT_EQ(testing::run_to_completion({testing::workload("syscall_workload"), comm, std::to_string(kCalls), "2000"}),
            0);
  families = collect(*probe, cfg);
  sleep = find_series(families, "kscope_syscall_latency_seconds", {{"syscall", "nanosleep"}, {"comm", comm}});
  ASSERT_NE(sleep, nullptr);
  EXPECT_EQ(sleep->histogram->count(), 2u * kCalls);
}

// The CPU budget's detach/attach: while detached nothing is counted; after
// the re-attach counting is exact again, and a syscall that was in flight
// across the detach is not timed (its start predates the attach).
TEST_F(SyscallsProbeTest, DetachPausesCountingAndNothingIsTimedAcrossIt) {
  Config cfg = own_process_config();
  auto probe = make_syscalls_probe();
  auto st = probe->start(cfg);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  // The breakdown is by process name (the thread group leader's).
  std::string comm = testing::unique_comm("det");
  char saved[16] = {};
  prctl(PR_GET_NAME, saved);
  prctl(PR_SET_NAME, comm.c_str());

  std::thread sleeper([] {
    timespec ts{0, 600'000'000};
    nanosleep(&ts, nullptr);
  });
  // Busy-wait rather than sleep: this process's only sleep is the sleeper's.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
  while (std::chrono::steady_clock::now() < until) {
  }
  ASSERT_TRUE(probe->detach().ok());
  for (int i = 0; i < 7; ++i) syscall(SYS_getppid);
  ASSERT_TRUE(probe->attach().ok());
  for (int i = 0; i < 11; ++i) syscall(SYS_getppid);
  sleeper.join();
  prctl(PR_SET_NAME, saved);

  auto families = collect(*probe, cfg);
  const Series* calls = find_series(families, "kscope_syscall_latency_seconds", {{"syscall", "getppid"}, {"comm", comm}});
  ASSERT_NE(calls, nullptr);
  EXPECT_EQ(calls->histogram->count(), 11u);
  // glibc's nanosleep is the clock_nanosleep syscall; timed from its start
  // before the detach it would read 600 ms.
  EXPECT_EQ(find_series(families, "kscope_syscall_latency_seconds", {{"syscall", "clock_nanosleep"}, {"comm", comm}}),
            nullptr);
}

TEST_F(SyscallsProbeTest, PidFilterSeesOnlyThatProcess) {
  Config cfg = own_process_config();
  auto probe = make_syscalls_probe();
  ASSERT_TRUE(probe->start(cfg).ok());
  std::string comm = testing::unique_comm("flt");
  ASSERT_EQ(testing::run_to_completion({testing::workload("syscall_workload"), comm, "5", "100"}), 0);
  for (int i = 0; i < 7; ++i) getppid();
  auto families = collect(*probe, cfg);
  EXPECT_EQ(find_series(families, "kscope_syscall_latency_seconds", {{"comm", comm}}), nullptr);
  const Series* mine = find_series(families, "kscope_syscall_latency_seconds", {{"syscall", "getppid"}});
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->histogram->count(), 7u);
}

TEST_F(SyscallsProbeTest, FullMapFoldsIntoOtherAndCountsOverflow) {
  Config cfg;
  cfg.breakdown = Breakdown::kComm;
  cfg.probes.syscalls.max_entries = 16;  // far fewer than the host's (syscall, comm) pairs
  auto probe = make_syscalls_probe();
  ASSERT_TRUE(probe->start(cfg).ok());
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(testing::run_to_completion({testing::workload("syscall_workload"), testing::unique_comm("o" + std::to_string(i)),
                                          "1", "10"}),
              0);
  }
  auto families = collect(*probe, cfg);
  EXPECT_NE(find_series(families, "kscope_syscall_latency_seconds", {{"comm", "other"}}), nullptr);
  uint64_t overflow = 0;
  for (const auto& [map, n] : probe->map_overflows()) {
    if (map == "syscall_latency") overflow = n;
  }
  EXPECT_GT(overflow, 0u);
}

TEST_F(SyscallsProbeTest, SeriesOfExitedTargetsAgeOut) {
  Config cfg;
  cfg.breakdown = Breakdown::kComm;
  cfg.series_ttl = std::chrono::milliseconds(500);
  auto probe = make_syscalls_probe();
  ASSERT_TRUE(probe->start(cfg).ok());
  std::string comm = testing::unique_comm("age");
  ASSERT_EQ(testing::run_to_completion({testing::workload("syscall_workload"), comm, "3", "10"}), 0);
  auto families = collect(*probe, cfg);
  ASSERT_NE(find_series(families, "kscope_syscall_latency_seconds", {{"comm", comm}}), nullptr);
  ASSERT_NE(find_series(families, "kscope_syscall_errors_total", {{"comm", comm}}), nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  families = collect(*probe, cfg);  // idle past the ttl: deleted from the maps
  EXPECT_EQ(find_series(families, "kscope_syscall_latency_seconds", {{"comm", comm}}), nullptr);
  EXPECT_EQ(find_series(families, "kscope_syscall_errors_total", {{"comm", comm}}), nullptr);
  // The live process (this test) keeps its series.
  EXPECT_NE(find_series(collect(*probe, cfg), "kscope_syscall_latency_seconds", {{"comm", "kscope_bpf_test"}}),
            nullptr);
}

// Each task caches the slots of its series (bpf/syscalls.bpf.c): a process
// that renames itself must count under the new name from its next syscall,
// in the thread that renamed it and in its other threads alike.
TEST_F(SyscallsProbeTest, RenamedProcessCountsUnderItsNewName) {
  Config cfg = own_process_config();
  auto probe = make_syscalls_probe();
  auto st = probe->start(cfg);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  std::string before = testing::unique_comm("rnA");
  std::string after = testing::unique_comm("rnB");
  {
    ScopedProcessName name(before);
    GetppidBursts worker(5, 7);
    for (int i = 0; i < 13; ++i) syscall(SYS_getppid);
    worker.wait_first();
    prctl(PR_SET_NAME, after.c_str());
    for (int i = 0; i < 17; ++i) syscall(SYS_getppid);
    worker.finish();
  }

  auto families = collect(*probe, cfg);
  const Series* old_name = find_series(families, "kscope_syscall_latency_seconds", {{"syscall", "getppid"}, {"comm", before}});
  const Series* new_name = find_series(families, "kscope_syscall_latency_seconds", {{"syscall", "getppid"}, {"comm", after}});
  ASSERT_NE(old_name, nullptr);
  ASSERT_NE(new_name, nullptr);
  EXPECT_EQ(old_name->histogram->count(), 13u + 5u);
  EXPECT_EQ(new_name->histogram->count(), 17u + 7u);
}

// A series that aged out gives its slot back; a task that still caches the
// slot must not count into it (its key is gone: the counts would be lost, or
// land in another series once the slot is reused) but start a new series.
// The getppids run in a thread that makes no other syscall, so nothing
// evicts the slot from its cache in between.
TEST_F(SyscallsProbeTest, TaskCountsAgainAfterItsSeriesAgedOut) {
  Config cfg = own_process_config();
  cfg.series_ttl = std::chrono::milliseconds(300);
  auto probe = make_syscalls_probe();
  ASSERT_TRUE(probe->start(cfg).ok());
  std::string comm = testing::unique_comm("gen");
  ScopedProcessName name(comm);
  GetppidBursts worker(3, 5);
  worker.wait_first();
  const Labels labels{{"syscall", "getppid"}, {"comm", comm}};
  auto families = collect(*probe, cfg);
  const Series* s = find_series(families, "kscope_syscall_latency_seconds", labels);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->histogram->count(), 3u);
  // Idle past the ttl, then the series is freed.
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  families = collect(*probe, cfg);
  EXPECT_EQ(find_series(families, "kscope_syscall_latency_seconds", labels), nullptr);

  worker.finish();
  families = collect(*probe, cfg);
  s = find_series(families, "kscope_syscall_latency_seconds", labels);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->histogram->count(), 5u);
}

TEST_F(SyscallsProbeTest, ReportsProgramRunStats) {
  Config cfg;
  auto probe = make_syscalls_probe();
  ASSERT_TRUE(probe->start(cfg).ok());
  auto stats = probe->program_stats();
  ASSERT_EQ(stats.size(), 2u);  // one enter/exit pair is loaded, not both flavours
  for (const auto& s : stats) EXPECT_TRUE(s.name == "handle_sys_enter" || s.name == "handle_sys_exit") << s.name;
}

}  // namespace
}  // namespace kscope
