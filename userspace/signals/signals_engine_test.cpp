#include "signals/signals_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "signals/fake_host.h"

namespace kscope {
namespace {

using testing::FakeHost;

SignalsOptions comm_options() {
  SignalsOptions o;
  o.breakdown = "comm";
  o.profile_frequency = 100;
  o.online_cpus = 4;
  return o;
}

TEST(SignalsEngine, FirstSnapshotHasNoRatesThenRatesFromDeltas) {
  FakeHost host;
  SignalsEngine engine(comm_options());
  host.calls("read", "db", 100, 1000, 10);
  auto first = engine.update(host.snapshot());
  EXPECT_FALSE(first->host.syscalls_per_second.has_value());
  EXPECT_FALSE(first->host.syscall_latency.has_value());

  host.calls("read", "db", 400, 1000, 10);
  host.calls("write", "db", 100, 1000, 100);
  host.calls("openat", "web", 200, 50000);
  host.errors("openat", "ENOENT", "web", 50);
  host.errors("read", "EAGAIN", "db", 10);
  auto s = engine.update(host.snapshot(2));  // two seconds later
  ASSERT_TRUE(s->host.syscalls_per_second.has_value());
  EXPECT_DOUBLE_EQ(*s->host.syscalls_per_second, 700.0 / 2);
  EXPECT_DOUBLE_EQ(*s->host.read_bytes_per_second, 4000.0 / 2);
  EXPECT_DOUBLE_EQ(*s->host.write_bytes_per_second, 10000.0 / 2);
  EXPECT_DOUBLE_EQ(*s->host.syscall_errors_per_second, 60.0 / 2);
  EXPECT_DOUBLE_EQ(s->host.errors_by_class[size_t(ErrnoClass::kNotFound)], 25);
  EXPECT_DOUBLE_EQ(s->host.errors_by_class[size_t(ErrnoClass::kWouldBlock)], 5);
  EXPECT_DOUBLE_EQ(*s->host.error_ratio, 60.0 / 700);
  EXPECT_EQ(s->host.syscall_latency->count, 700u);
  EXPECT_DOUBLE_EQ(s->interval_seconds, 2);

  const SignalSet* web = s->target("web");
  ASSERT_NE(web, nullptr);
  EXPECT_DOUBLE_EQ(*web->syscalls_per_second, 100);
  EXPECT_DOUBLE_EQ(*web->syscall_errors_per_second, 25);
  // 50us calls: p99 inside the log-linear bucket around 50us.
  EXPECT_NEAR(web->syscall_latency->p99, 50e-6, 50e-6 * 0.2);
  const SignalSet* db = s->target("db");
  ASSERT_NE(db, nullptr);
  EXPECT_DOUBLE_EQ(*db->error_ratio, 10.0 / 500);
  // Busiest first.
  EXPECT_EQ(s->targets.front().target, "db");
}

TEST(SignalsEngine, CounterResetCountsTheNewValueNotANegativeRate) {
  FakeHost host;
  SignalsEngine engine(comm_options());
  host.errors("openat", "ENOENT", "web", 1000);
  engine.update(host.snapshot());
  host.reset();
  host.errors("openat", "ENOENT", "web", 30);
  auto s = engine.update(host.snapshot());
  EXPECT_DOUBLE_EQ(*s->host.syscall_errors_per_second, 30);
}

TEST(SignalsEngine, MissingProbesGiveAbsentSignalsNotZero) {
  FakeHost host;
  SignalsEngine engine(comm_options());
  host.calls("read", "db", 10, 1000);
  engine.update(host.snapshot());
  auto s = engine.update(host.snapshot());
  EXPECT_FALSE(s->host.runqueue_p99.has_value());
  EXPECT_FALSE(s->host.tcp_retransmits_per_second.has_value());
  EXPECT_FALSE(s->host.cpu_cores.has_value());
  EXPECT_FALSE(s->host.tcp_connect_latency.has_value());
  // Syscalls exist but none happened: zero, not absent.
  EXPECT_DOUBLE_EQ(*s->host.syscalls_per_second, 0);
  EXPECT_EQ(s->host.syscall_latency->count, 0u);
  EXPECT_FALSE(signal_value(s->host, "latency.syscall.p99").has_value());
}

TEST(SignalsEngine, SaturationFromSchedAndProfileMetrics) {
  FakeHost host;
  SignalsEngine engine(comm_options());
  host.counter("kscope_cpu_samples_total", "db", 0);
  host.counter("kscope_offcpu_seconds_total", "db", 0);
  host.gauge("kscope_runqueue_length", "0", 1);
  host.gauge("kscope_runqueue_length", "1", 3);
  engine.update(host.snapshot());
  host.counter("kscope_cpu_samples_total", "db", 200);      // 2 CPUs busy for 1s at 100 Hz
  host.counter("kscope_offcpu_seconds_total", "db", 2.0);  // and 2s blocked
  auto s = engine.update(host.snapshot());
  EXPECT_DOUBLE_EQ(*s->host.cpu_cores, 2);
  EXPECT_DOUBLE_EQ(*s->host.cpu_utilization, 0.5);
  EXPECT_DOUBLE_EQ(*s->host.offcpu_ratio, 0.5);
  EXPECT_DOUBLE_EQ(*s->host.runqueue_length, 2);
  EXPECT_DOUBLE_EQ(*s->target("db")->cpu_cores, 2);
}

TEST(SignalsEngine, LatencySignalCoversTheConfiguredSyscalls) {
  FakeHost host;
  SignalsOptions o = comm_options();
  o.syscalls = {"openat"};
  SignalsEngine engine(o);
  engine.update(host.snapshot());
  host.calls("openat", "web", 10, 1000000);  // 1ms
  host.calls("epoll_wait", "web", 1000, 2000000000);
  auto s = engine.update(host.snapshot());
  EXPECT_EQ(s->host.syscall_latency->count, 10u);
  EXPECT_LT(s->host.syscall_latency->p99, 2e-3);
  EXPECT_DOUBLE_EQ(*s->host.syscalls_per_second, 1010);  // traffic counts every syscall
}

TEST(SignalsEngine, IdleWaitsStayOutOfTheLatencySignalUnlessAsked) {
  for (bool include : {false, true}) {
    FakeHost host;
    host.idle_wait("epoll_wait");
    SignalsOptions o = comm_options();
    o.include_idle_waits = include;
    SignalsEngine engine(o);
    engine.update(host.snapshot());
    host.calls("read", "web", 100, 50000);               // 50 us
    host.calls("epoll_wait", "web", 900, 2000000000);    // an event loop at rest
    auto s = engine.update(host.snapshot());
    EXPECT_EQ(s->host.syscall_latency->count, include ? 1000u : 100u);
    if (include) {
      EXPECT_GT(s->target("web")->syscall_latency->p99, 1.0);
    } else {
      EXPECT_LT(s->target("web")->syscall_latency->p99, 1e-4);
    }
    EXPECT_DOUBLE_EQ(*s->host.syscalls_per_second, 1000);  // traffic counts the waits
  }
}

TEST(SignalsJson, ShapeAndEscaping) {
  FakeHost host;
  SignalsEngine engine(comm_options());
  engine.update(host.snapshot());
  host.calls("read", "a\"b\xff", 10, 1000);
  auto s = engine.update(host.snapshot());
  auto j = to_json(*s);
  EXPECT_THAT(j, ::testing::HasSubstr("\"target\":\"a\\\"b\xEF\xBF\xBD\""));
  EXPECT_THAT(j, ::testing::HasSubstr("\"runqueue_p99\":null"));
  EXPECT_THAT(j, ::testing::HasSubstr("\"breakdown\":\"comm\""));
  EXPECT_THAT(j, ::testing::HasSubstr("\"time\":\"2027-01-15T08:00:"));
}

// A kernel thread and a process that took its name are two targets: the
// run-queue signal of one is not the other's.
TEST(Signals, KernelThreadsAreTargetsOfTheirOwn) {
  FakeHost host;
  SignalsEngine engine(comm_options());
  engine.update(host.snapshot());
  host.runq_waits("ksoftirqd/0", 100, 80'000'000, /*kernel=*/true);
  host.runq_waits("ksoftirqd/0", 100, 10'000);
  auto s = engine.update(host.snapshot());
  ASSERT_NE(s->target("ksoftirqd/0", true), nullptr);
  ASSERT_NE(s->target("ksoftirqd/0", false), nullptr);
  EXPECT_GT(*s->target("ksoftirqd/0", true)->runqueue_p99, 0.05);
  EXPECT_LT(*s->target("ksoftirqd/0", false)->runqueue_p99, 0.001);
  EXPECT_GT(*s->host.runqueue_p99, 0.05);  // the host is everything
  auto j = nlohmann::json::parse(to_json(*s));
  std::set<std::pair<std::string, bool>> listed;
  for (const auto& t : j["targets"]) listed.emplace(t["target"].get<std::string>(), t["kernel"].get<bool>());
  EXPECT_EQ(listed, (std::set<std::pair<std::string, bool>>{{"ksoftirqd/0", false}, {"ksoftirqd/0", true}}));
}

TEST(Errno, Classes) {
  EXPECT_EQ(classify_errno("ENOENT"), ErrnoClass::kNotFound);
  EXPECT_EQ(classify_errno("ECONNREFUSED"), ErrnoClass::kConnection);
  EXPECT_EQ(classify_errno("EMFILE"), ErrnoClass::kResource);
  EXPECT_EQ(classify_errno("E4095"), ErrnoClass::kOther);
  EXPECT_EQ(errno_class_name(ErrnoClass::kWouldBlock), "would_block");
}

TEST(Signals, EveryNamedSignalResolves) {
  SignalSet set;
  set.syscall_latency = LatencySignal{1, 2, 3, 4};
  for (const auto& name : signal_names()) {
    // Unknown paths are nullopt; known ones do not crash and latency ones read.
    (void)signal_value(set, name);
  }
  EXPECT_EQ(signal_value(set, "latency.syscall.p99"), 3);
  EXPECT_EQ(signal_value(set, "latency.syscall.count"), 4);
  EXPECT_FALSE(signal_value(set, "no.such").has_value());
}

}  // namespace
}  // namespace kscope
