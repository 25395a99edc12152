#include "alerts/alert_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "signals/fake_host.h"
#include "signals/signals_engine.h"

namespace kscope {
namespace {

using ::testing::Pair;
using testing::FakeHost;

// Drives snapshots from a FakeHost through signals and the engine.
class Harness {
 public:
  explicit Harness(std::vector<RuleConfig> rules, std::string breakdown = "comm") : signals_(options(breakdown)) {
    AlertEngineOptions o;
    o.breakdown = breakdown;
    o.instance = "testhost";
    o.external_url = "http://kscope:9494";
    o.resend_interval = std::chrono::seconds(30);
    engine = std::make_unique<AlertEngine>(o);
    engine->set_rules(rules, host.wall());
    signals_.update(host.snapshot());  // baseline: no rates before it
  }

  std::vector<Notification> tick(int seconds = 1) {
    std::vector<Notification> out;
    signals_.update(host.snapshot(seconds), [&](const IntervalPair& p, const Signals& s) {
      EvalContext ctx{p, s, p.current.taken_steady};
      out = engine->evaluate(ctx, p.current.taken_at);
    });
    return out;
  }

  AlertState state_of(const std::string& target) const {
    for (const auto& a : engine->alerts()) {
      if (a.target == target) return a.state;
    }
    return AlertState::kInactive;
  }

  FakeHost host;
  std::unique_ptr<AlertEngine> engine;

 private:
  static SignalsOptions options(const std::string& breakdown) {
    SignalsOptions o;
    o.breakdown = breakdown == "none" ? "" : breakdown;
    return o;
  }
  SignalsEngine signals_;
};

RuleConfig errors_rule(double per_second) {
  RuleConfig r;
  r.name = "OpenErrors";
  auto& threshold = r.spec.emplace<ThresholdRule>();
  r.severity = Severity::kCritical;
  r.labels = {{"team", "storage"}};
  r.annotations = {{"summary", "{target} fails {value} (over {threshold})"}};
  threshold.source.metric = "kscope_syscall_errors_total";
  threshold.source.match = {{"syscall", "openat"}, {"errno", "!=EAGAIN"}};
  threshold.source.stat = "rate";
  threshold.op = Comparison::kAbove;
  threshold.value = per_second;
  return r;
}

TEST(AlertEngine, ThresholdFiresPerTargetWithLabelsAndResolvesOnce) {
  RuleConfig rule = errors_rule(50);
  rule.for_duration = std::chrono::seconds(2);
  Harness h({rule});
  h.host.errors("openat", "ENOENT", "web", 100);
  h.host.errors("openat", "ENOENT", "db", 10);  // under the threshold
  EXPECT_TRUE(h.tick().empty());
  EXPECT_EQ(h.state_of("web"), AlertState::kPending);
  h.host.errors("openat", "ENOENT", "web", 100);
  EXPECT_TRUE(h.tick().empty());  // 1s of 2s
  h.host.errors("openat", "ENOENT", "web", 100);
  auto n = h.tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind, Notification::Kind::kFiring);
  const Alert a = n[0].alert;  // a copy: n is reassigned below
  EXPECT_EQ(a.target, "web");
  EXPECT_DOUBLE_EQ(a.value, 100);
  EXPECT_THAT(a.labels, ::testing::ElementsAre(Pair("alertname", "OpenErrors"), Pair("comm", "web"),
                                               Pair("instance", "testhost"), Pair("severity", "critical"),
                                               Pair("source", "kscope"), Pair("team", "storage")));
  EXPECT_THAT(a.annotations, ::testing::Contains(Pair("summary", "web fails 100/s (over 50/s)")));
  EXPECT_EQ(a.generator_url, "http://kscope:9494/api/v1/alerts?rule=OpenErrors");
  EXPECT_EQ(h.state_of("db"), AlertState::kInactive);

  // Still breaching: no duplicate notification.
  h.host.errors("openat", "ENOENT", "web", 100);
  EXPECT_TRUE(h.tick().empty());
  // EAGAIN does not match the rule.
  h.host.errors("openat", "EAGAIN", "web", 1000);
  n = h.tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind, Notification::Kind::kResolved);
  EXPECT_EQ(n[0].alert.fingerprint, a.fingerprint);
  EXPECT_EQ(n[0].alert.resolved_at, h.host.wall());
  EXPECT_EQ(h.engine->firing_counts().at({"OpenErrors", "critical"}), 0);
}

TEST(AlertEngine, RefreshesFiringAlertsEveryResendInterval) {
  Harness h({errors_rule(5)});
  int firing = 0, refresh = 0;
  for (int i = 0; i < 70; ++i) {
    h.host.errors("openat", "ENOENT", "web", 10);
    for (const auto& n : h.tick()) {
      firing += n.kind == Notification::Kind::kFiring;
      refresh += n.kind == Notification::Kind::kRefresh;
    }
  }
  EXPECT_EQ(firing, 1);
  EXPECT_EQ(refresh, 2);  // at 30s and 60s after firing
  EXPECT_EQ(h.engine->firing_counts().at({"OpenErrors", "critical"}), 1);
}

TEST(AlertEngine, HysteresisOnASignal) {
  RuleConfig r;
  r.name = "SlowFiles";
  auto& threshold = r.spec.emplace<ThresholdRule>();
  threshold.source.signal = "latency.syscall.p99";
  threshold.value = 10e-3;
  threshold.has_clear = true;
  threshold.clear = 2e-3;
  Harness h({r});
  h.host.calls("fsync", "db", 100, 20'000'000);
  ASSERT_EQ(h.tick().size(), 1u);
  h.host.calls("fsync", "db", 100, 5'000'000);  // under 10ms, above 2ms: still firing
  EXPECT_TRUE(h.tick().empty());
  EXPECT_EQ(h.state_of("db"), AlertState::kFiring);
  h.host.calls("fsync", "db", 100, 1'000'000);
  auto n = h.tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind, Notification::Kind::kResolved);
}

TEST(AlertEngine, NamedTargetAndHostScope) {
  RuleConfig only_db = errors_rule(5);
  only_db.name = "DbOnly";
  only_db.target = "db";
  RuleConfig host_wide = errors_rule(150);
  host_wide.name = "HostWide";
  host_wide.scope = RuleScope::kHost;
  Harness h({only_db, host_wide});
  h.host.errors("openat", "ENOENT", "web", 100);
  h.host.errors("openat", "ENOENT", "db", 100);
  auto n = h.tick();
  ASSERT_EQ(n.size(), 2u);
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& x : n) got.insert({x.alert.rule, x.alert.target});
  EXPECT_EQ(got, (std::set<std::pair<std::string, std::string>>{{"DbOnly", "db"}, {"HostWide", ""}}));
  for (const auto& x : n) {
    if (x.alert.rule == "HostWide") {
      for (const auto& [k, v] : x.alert.labels) EXPECT_NE(k, "comm");
    }
  }
}

TEST(AlertEngine, ReloadKeepsStateOfRulesThatStay) {
  RuleConfig keep = errors_rule(5);
  RuleConfig gone = errors_rule(5);
  gone.name = "Gone";
  Harness h({keep, gone});
  h.host.errors("openat", "ENOENT", "web", 100);
  ASSERT_EQ(h.tick().size(), 2u);
  RuleConfig changed = keep;
  std::get<ThresholdRule>(changed.spec).value = 6;  // same name, new threshold
  auto n = h.engine->set_rules({changed}, h.host.wall());
  ASSERT_EQ(n.size(), 1u);  // the removed rule's alert resolves
  EXPECT_EQ(n[0].alert.rule, "Gone");
  EXPECT_EQ(n[0].kind, Notification::Kind::kResolved);
  h.host.errors("openat", "ENOENT", "web", 100);
  EXPECT_TRUE(h.tick().empty());  // still firing: no second firing notification
  EXPECT_EQ(h.state_of("web"), AlertState::kFiring);
}

TEST(AlertEngine, CooldownAfterResolve) {
  RuleConfig r = errors_rule(5);
  r.cooldown = std::chrono::seconds(10);
  Harness h({r});
  h.host.errors("openat", "ENOENT", "web", 100);
  ASSERT_EQ(h.tick().size(), 1u);
  ASSERT_EQ(h.tick().size(), 1u);  // resolved
  int fired_at = -1;
  for (int i = 0; i < 15; ++i) {
    h.host.errors("openat", "ENOENT", "web", 100);
    for (const auto& n : h.tick()) {
      if (n.kind == Notification::Kind::kFiring) fired_at = i;
    }
  }
  // Resolved at t=3 (baseline t=1, fired t=2); i = 9 is t=13, 10s later.
  EXPECT_EQ(fired_at, 9);
}

RuleConfig slo_rule() {
  RuleConfig r;
  r.name = "ReadSlo";
  auto& slo = r.spec.emplace<SloRule>();
  r.scope = RuleScope::kHost;
  slo.objective = 0.99;  // budget: 1% of reads over 10ms
  slo.kind = SloKind::kLatency;
  slo.match = {{"syscall", "read"}};
  slo.under_seconds = 10e-3;
  slo.windows = {{std::chrono::seconds(600), std::chrono::seconds(60), 10}};
  return r;
}

TEST(AlertEngine, SloBurnRateNeedsBothWindows) {
  Harness h({slo_rule()});
  // 10 minutes of a healthy host: 0.5% slow (burn 0.5).
  for (int i = 0; i < 600; ++i) {
    h.host.calls("read", "db", 995, 1'000'000);
    h.host.calls("read", "db", 5, 50'000'000);
    EXPECT_TRUE(h.tick().empty());
  }
  // A burst of 30% slow reads: the short window burns at 30x at once, but
  // the long one needs about 10x over 600s: 600 * 0.1 = 60 bad-seconds
  // worth of budget. It must not fire in the first seconds.
  int fired_after = -1;
  for (int i = 0; i < 300; ++i) {
    h.host.calls("read", "db", 700, 1'000'000);
    h.host.calls("read", "db", 300, 50'000'000);
    for (const auto& n : h.tick()) {
      if (n.kind == Notification::Kind::kFiring) {
        fired_after = i + 1;
        EXPECT_GT(n.alert.value, 10);
        EXPECT_DOUBLE_EQ(n.alert.threshold, 10);
      }
    }
  }
  // Long-window ratio = (0.005*(600-k) + 0.3*k)/600 > 0.1 -> k > 193.
  EXPECT_GE(fired_after, 190);
  EXPECT_LE(fired_after, 200);
  // Recovery after 300s of burst: the long window stays above 10x (about
  // 15% bad) but the short one drops under 10% bad after 40s, and the alert
  // resolves then (give or take a 6s bucket), not when the long window cools.
  int resolved_after = -1;
  for (int i = 0; i < 120 && resolved_after < 0; ++i) {
    h.host.calls("read", "db", 1000, 1'000'000);
    for (const auto& n : h.tick()) {
      if (n.kind == Notification::Kind::kResolved) resolved_after = i + 1;
    }
  }
  EXPECT_GE(resolved_after, 34);
  EXPECT_LE(resolved_after, 47);
}

// Availability of the requests a service served: the failed ones are the
// observations of the duration histogram whose status matches `bad`.
TEST(AlertEngine, RequestAvailabilitySloBurnsOn5xxOnly) {
  RuleConfig r;
  r.name = "NginxAvailability";
  auto& slo = r.spec.emplace<SloRule>();
  r.target = "nginx";
  slo.objective = 0.99;
  slo.kind = SloKind::kErrors;
  slo.metric = "http_server_request_duration_seconds";
  slo.bad = {{"http_response_status_code", "=~5.."}};
  slo.windows = {{std::chrono::seconds(600), std::chrono::seconds(60), 10}};
  Harness h({r});
  auto serve = [&](const std::string& comm, const std::string& status, int n) {
    h.host.labeled_histogram("http_server_request_duration_seconds",
                             {{"http_response_status_code", status}, {"comm", comm}}, n, 1'000'000);
  };
  // 404s are the clients' errors: a service answering half 404s is fine.
  for (int i = 0; i < 120; ++i) {
    serve("nginx", "200", 50);
    serve("nginx", "404", 50);
    serve("other", "503", 100);  // another target, out of the rule's scope
    EXPECT_TRUE(h.tick().empty()) << i;
  }
  // Half answered 503: a 50x burn on the short window at once; the long
  // one holds 120 s of 0% and k s of 50%.
  int fired_after = -1;
  for (int i = 0; i < 200 && fired_after < 0; ++i) {
    serve("nginx", "200", 50);
    serve("nginx", "503", 50);
    for (const auto& n : h.tick()) {
      if (n.kind == Notification::Kind::kFiring) {
        fired_after = i + 1;
        EXPECT_EQ(n.alert.target, "nginx");
      }
    }
  }
  // 0.5k / (120 + k) > 0.1 -> k > 30.
  EXPECT_GE(fired_after, 29);
  EXPECT_LE(fired_after, 34);
}

RuleConfig anomaly_rule(const std::string& method) {
  RuleConfig r;
  r.name = "TrafficSpike";
  auto& anomaly = r.spec.emplace<AnomalyRule>();
  anomaly.source.signal = "traffic.syscalls_per_second";
  anomaly.method = *parse_anomaly_method(method);
  anomaly.alpha = 0.1;
  anomaly.window = 30;
  anomaly.z = 4;
  anomaly.warmup = std::chrono::seconds(60);
  anomaly.min_change = 500;
  return r;
}

class AnomalyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AnomalyTest, WarmupThenSpikeFiresButSmallChangeDoesNot) {
  Harness h({anomaly_rule(GetParam())});
  // A spike during warm-up is ignored.
  for (int i = 0; i < 30; ++i) {
    h.host.calls("read", "web", i == 20 ? 50000 : 1000 + (i % 3) * 10, 1000);
    EXPECT_TRUE(h.tick().empty()) << "fired during warm-up at " << i;
  }
  for (int i = 0; i < 120; ++i) {
    h.host.calls("read", "web", 1000 + (i % 3) * 10, 1000);
    h.tick();
  }
  // Many deviations from a tiny variance, but under min_change: quiet.
  h.host.calls("read", "web", 1400, 1000);
  EXPECT_TRUE(h.tick().empty());
  for (int i = 0; i < 60; ++i) {
    h.host.calls("read", "web", 1000 + (i % 3) * 10, 1000);
    h.tick();
  }
  h.host.calls("read", "web", 5000, 1000);
  auto n = h.tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind, Notification::Kind::kFiring);
  EXPECT_DOUBLE_EQ(n[0].alert.value, 5000);
  h.host.calls("read", "web", 1000, 1000);
  n = h.tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind, Notification::Kind::kResolved);
}

INSTANTIATE_TEST_SUITE_P(Methods, AnomalyTest, ::testing::Values("ewma", "zscore"));

TEST(AlertEngine, FireHookAddsAnnotations) {
  Harness h({errors_rule(5)});
  int calls = 0;
  h.engine->set_fire_hook([&](const RuleConfig& r, const Alert& a) {
    ++calls;
    EXPECT_EQ(r.name, "OpenErrors");
    EXPECT_EQ(a.target, "web");
    return StringPairs{{"capture_cpu", "http://x/cpu.svg"}};
  });
  h.host.errors("openat", "ENOENT", "web", 100);
  auto n = h.tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_THAT(n[0].alert.annotations, ::testing::Contains(Pair("capture_cpu", "http://x/cpu.svg")));
  h.host.errors("openat", "ENOENT", "web", 100);
  h.tick();
  EXPECT_EQ(calls, 1);
}

// Kernel threads wait on busy CPUs by design: the default rules leave them
// out (kernel_threads: false), known by the kernel label and not by name, so
// a process calling itself ksoftirqd/0 is still watched.
TEST(AlertEngine, DefaultRulesStayInactiveForKernelThreads) {
  auto rules = AlertsConfig::default_alert_rules();
  Harness h(rules);
  auto load = [&] {
    h.host.runq_waits("ksoftirqd/0", 50, 80'000'000, /*kernel=*/true);
    h.host.runq_waits("kcompactd0", 50, 200'000'000, /*kernel=*/true);
    h.host.runq_waits("ksoftirqd/0", 50, 80'000'000);  // a process of that name
    h.host.runq_waits("spinner", 50, 80'000'000);
  };
  for (int i = 0; i < 15; ++i) {  // 150 s: past RunQueueLatencyHigh's for: 2m
    load();
    h.tick(10);
  }
  std::map<std::pair<std::string, bool>, AlertState> got;
  for (const auto& a : h.engine->alerts()) {
    ASSERT_EQ(a.rule, "RunQueueLatencyHigh");
    got[{a.target, a.kernel}] = a.state;
    for (const auto& [k, v] : a.labels) EXPECT_NE(k, "kernel") << a.target;
  }
  EXPECT_EQ(got, (std::map<std::pair<std::string, bool>, AlertState>{
                     {{"ksoftirqd/0", false}, AlertState::kFiring}, {{"spinner", false}, AlertState::kFiring}}));
}

TEST(AlertEngine, KernelThreadsOptInAlertApartFromTheirNamesakes) {
  auto rules = AlertsConfig::default_alert_rules();
  RuleConfig rq = rules[1];
  ASSERT_EQ(rq.name, "RunQueueLatencyHigh");
  rq.kernel_threads = true;
  rq.for_duration = std::chrono::seconds(0);
  Harness h({rq});
  h.host.runq_waits("ksoftirqd/0", 50, 80'000'000, /*kernel=*/true);
  h.host.runq_waits("ksoftirqd/0", 50, 1'000'000);  // a calm process of that name
  auto notes = h.tick();
  ASSERT_EQ(notes.size(), 1u);
  const Alert& a = notes[0].alert;
  EXPECT_EQ(a.target, "ksoftirqd/0");
  EXPECT_TRUE(a.kernel);
  EXPECT_THAT(a.labels, ::testing::Contains(Pair("kernel", "true")));
  EXPECT_THAT(a.labels, ::testing::Contains(Pair("comm", "ksoftirqd/0")));
  EXPECT_EQ(a.unit, "duration");
  ASSERT_EQ(h.engine->alerts().size(), 1u);
}

// A ratio of two metrics grouped by a label of their own: the share of CPU
// periods a cgroup was throttled in, whatever the breakdown is.
TEST(AlertEngine, RatioRuleGroupedByItsOwnLabel) {
  RuleConfig r;
  r.name = "CpuThrottlingHigh";
  auto& threshold = r.spec.emplace<ThresholdRule>();
  threshold.source.metric = "kscope_cgroup_cpu_throttled_periods_total";
  threshold.source.stat = "rate";
  threshold.source.by = "cgroup";
  threshold.source.divide_by = {"kscope_cgroup_cpu_periods_total", {}, "rate"};
  threshold.op = Comparison::kAbove;
  threshold.value = 0.25;
  Harness h({r});
  const Labels busy{{"cgroup", "/system.slice/pay.service"}};
  const Labels calm{{"cgroup", "/system.slice/web.service"}};
  const Labels idle{{"cgroup", "/system.slice/idle.service"}};
  h.host.labeled_counter("kscope_cgroup_cpu_periods_total", busy, 10);
  h.host.labeled_counter("kscope_cgroup_cpu_throttled_periods_total", busy, 9);
  h.host.labeled_counter("kscope_cgroup_cpu_periods_total", calm, 10);
  h.host.labeled_counter("kscope_cgroup_cpu_throttled_periods_total", calm, 1);
  h.host.labeled_counter("kscope_cgroup_cpu_throttled_periods_total", idle, 0);  // no periods: no ratio
  auto notes = h.tick();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].alert.target, "/system.slice/pay.service");
  EXPECT_THAT(notes[0].alert.labels, ::testing::Contains(Pair("cgroup", "/system.slice/pay.service")));
  EXPECT_THAT(notes[0].alert.labels, ::testing::Not(::testing::Contains(Pair("comm", ::testing::_))));
  EXPECT_DOUBLE_EQ(notes[0].alert.value, 0.9);
  EXPECT_EQ(h.state_of("/system.slice/web.service"), AlertState::kInactive);
}

TEST(FormatRuleValue, Units) {
  EXPECT_EQ(format_rule_value(0.0123, "duration"), "12.3ms");
  EXPECT_EQ(format_rule_value(2.5e-6, "duration"), "2.5us");
  EXPECT_EQ(format_rule_value(0.052, "ratio"), "5.2%");
  EXPECT_EQ(format_rule_value(120, "rate"), "120/s");
  EXPECT_EQ(format_rule_value(14.4, "burn"), "14.4x");
}

}  // namespace
}  // namespace kscope
