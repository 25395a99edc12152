#include "config/config.h"

#include <gtest/gtest.h>

namespace kscope {

TEST(Config, EmbeddedDefaultEqualsBuiltInDefaults) {
  auto cfg = parse_config(default_config_text(), "default.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_TRUE(*cfg == Config{}) << "config/embed/default.yaml and config/config.h disagree";
  EXPECT_NE(default_config_text().find("listen: 127.0.0.1:9494"), std::string::npos);
}

TEST(Config, EmptyFileIsValid) {
  auto cfg = parse_config("", "empty.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->interval, std::chrono::seconds(1));
}

TEST(Config, ParsesFields) {
  auto cfg = parse_config(
      "interval: 500ms\nbreakdown: cgroup\nmax_series: 10\nlatency_buckets: [1ms, 10ms]\n"
      "probes:\n  syscalls:\n    max_entries: 128\n  offcpu:\n    min_block: 5ms\n",
      "x.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->interval, std::chrono::milliseconds(500));
  EXPECT_EQ(cfg->breakdown, Breakdown::kCgroup);
  EXPECT_EQ(cfg->max_series, 10u);
  EXPECT_EQ(cfg->latency_buckets_seconds, (std::vector<double>{1e-3, 10e-3}));
  EXPECT_EQ(cfg->probes.syscalls.max_entries, 128u);
  EXPECT_EQ(cfg->probes.offcpu.min_block, std::chrono::milliseconds(5));
}

TEST(Config, L7ProbeIsOffByDefaultAndBounded) {
  EXPECT_FALSE(Config{}.probes.l7.enabled);
  EXPECT_FALSE(Config{}.probes.l7.tls);
  auto cfg = parse_config("probes:\n  l7:\n    enabled: true\n    tls: true\n    capture_bytes: 512\n", "x.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_TRUE(cfg->probes.l7.enabled);
  EXPECT_TRUE(cfg->probes.l7.tls);
  EXPECT_EQ(cfg->probes.l7.capture_bytes, 512u);
  auto bad = parse_config("probes:\n  l7:\n    capture_bytes: 4096\n    ring_buffer_bytes: 100000\n", "bad.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("probes.l7.capture_bytes"), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("power of two"), std::string::npos) << bad.error().message();
}

TEST(Config, L7RoutesPerServiceAndTheirMissingFields) {
  auto cfg = parse_config(
      "probes:\n  l7:\n    max_series: 50\n    routes:\n      - service: nginx\n"
      "        patterns: [\"/users/{id}\", \"/orders/{id}/items\"]\n      - service: \"*\"\n"
      "        patterns: [\"/health\"]\n",
      "x.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->probes.l7.max_series, 50u);
  ASSERT_EQ(cfg->probes.l7.routes.size(), 2u);
  EXPECT_EQ(cfg->probes.l7.routes[0].service, "nginx");
  EXPECT_EQ(cfg->probes.l7.routes[0].patterns, (std::vector<std::string>{"/users/{id}", "/orders/{id}/items"}));
  EXPECT_EQ(cfg->probes.l7.routes[1].service, "*");

  auto bad = parse_config("probes:\n  l7:\n    routes:\n      - patterns: []\n        servce: x\n", "bad.yaml");
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message();
  EXPECT_NE(m.find("probes.l7.routes[0].service: is required"), std::string::npos) << m;
  EXPECT_NE(m.find("probes.l7.routes[0].patterns: is required"), std::string::npos) << m;
  EXPECT_NE(m.find("probes.l7.routes[0].servce: unknown field"), std::string::npos) << m;
  EXPECT_FALSE(parse_config("probes:\n  l7:\n    routes: {service: x}\n", "bad.yaml").ok());
}

TEST(Config, ExportKnobs) {
  auto cfg = parse_config("export:\n  histogram_targets: 0\n  histogram_syscalls: 7\n  counter_syscalls: 12\n", "x.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->export_.histogram_targets, 0u);
  EXPECT_EQ(cfg->export_.histogram_syscalls, 7u);
  EXPECT_EQ(cfg->export_.counter_syscalls, 12u);
  auto bad = parse_config("export:\n  histogram_targets: 5000\n  counter_syscall: 3\n", "bad.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("bad.yaml:2:22: export.histogram_targets"), std::string::npos)
      << bad.error().message();
  EXPECT_NE(bad.error().message().find("export.counter_syscall: unknown field"), std::string::npos)
      << bad.error().message();
}

TEST(Config, UnknownFieldNamesLineAndKnownFields) {
  auto cfg = parse_config("interval: 1s\nprobes:\n  syscals:\n    enabled: true\n", "bad.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message().find("bad.yaml:3:3: probes.syscals: unknown field"), std::string::npos)
      << cfg.error().message();
  EXPECT_NE(cfg.error().message().find("syscalls"), std::string::npos);
}

TEST(Config, BadValuesSayWhatIsExpected) {
  auto cfg = parse_config("interval: fast\nbreakdown: pid\nmax_series: -1\nhttp:\n  protect_metrics: maybe\n",
                          "bad.yaml");
  ASSERT_FALSE(cfg.ok());
  const std::string& m = cfg.error().message();
  EXPECT_NE(m.find("bad.yaml:1:11: interval: invalid duration 'fast'"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.yaml:2:12: breakdown: expected one of comm, cgroup, none, got 'pid'"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.yaml:3:13: max_series: expected a whole number"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.yaml:5:20: http.protect_metrics: expected true or false, got 'maybe'"), std::string::npos) << m;
}

TEST(Config, TlsFilesComeTogetherAndMustBeReadable) {
  auto one = parse_config("http:\n  tls_cert: /etc/hostname\n", "t.yaml");
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.error().message().find("t.yaml:2:13: http.tls_cert: needs http.tls_key too"), std::string::npos)
      << one.error().message();
  auto missing = parse_config("http:\n  tls_cert: /etc/hostname\n  tls_key: /nonexistent/key.pem\n", "t.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find(
                "t.yaml:3:12: http.tls_key: cannot read /nonexistent/key.pem: No such file or directory"),
            std::string::npos)
      << missing.error().message();
  auto both = parse_config("http:\n  tls_cert: /etc/hostname\n  tls_key: /etc/hostname\n", "t.yaml");
  ASSERT_TRUE(both.ok()) << both.error().message();
  EXPECT_EQ(both->http.tls_key, "/etc/hostname");
}

TEST(Config, HistoryIsValidated) {
  auto good = parse_config("history:\n  retention: 30m\n  max_mib: 12\n", "h.yaml");
  ASSERT_TRUE(good.ok()) << good.error().message();
  EXPECT_EQ(good->history.retention, std::chrono::minutes(30));
  EXPECT_EQ(good->history.max_mib, 12u);
  auto bad = parse_config("history:\n  retention: 2s\n  max_mib: 0\n  tiers: []\n", "h.yaml");
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message();
  EXPECT_NE(m.find("h.yaml:2:14: history.retention: must be from 1m to 24h"), std::string::npos) << m;
  EXPECT_NE(m.find("h.yaml:3:12: history.max_mib"), std::string::npos) << m;
  EXPECT_NE(m.find("h.yaml:4:3: history.tiers: unknown field"), std::string::npos) << m;
}

TEST(Config, BudgetIsValidated) {
  auto good = parse_config("budget:\n  cpu_percent: 2.5\n  window: 5s\n  restore_after: 30s\n  keep: [syscalls, tcp]\n",
                           "b.yaml");
  ASSERT_TRUE(good.ok()) << good.error().message();
  EXPECT_EQ(good->budget.cpu_percent, 2.5);
  EXPECT_EQ(good->budget.keep, (std::vector<std::string>{"syscalls", "tcp"}));
  EXPECT_FALSE(good->budget.measure);
  auto measure = parse_config("budget:\n  measure: true\n", "b.yaml");
  ASSERT_TRUE(measure.ok()) << measure.error().message();
  EXPECT_TRUE(measure->budget.measure);
  auto none = parse_config("budget:\n  keep: []\n", "b.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->budget.keep.empty());

  auto bad = parse_config("budget:\n  cpu_percent: 120\n  window: 500ms\n  keep: [syscals]\n", "b.yaml");
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message();
  EXPECT_NE(m.find("b.yaml:2:16: budget.cpu_percent: must be from 0"), std::string::npos) << m;
  EXPECT_NE(m.find("b.yaml:3:11: budget.window: must be at least 1s"), std::string::npos) << m;
  EXPECT_NE(m.find("budget.keep: unknown probe 'syscals'"), std::string::npos) << m;
  auto order = parse_config("budget:\n  window: 30s\n  restore_after: 10s\n", "b.yaml");
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.error().message().find("budget.restore_after: must be at least the window"), std::string::npos);
  EXPECT_FALSE(parse_config("budget:\n  cpu_percent: .nan\n", "b.yaml").ok());
}

TEST(Config, SyscallSamplingIsOffByDefaultAndValidated) {
  auto def = parse_config("", "s.yaml");
  ASSERT_TRUE(def.ok());
  EXPECT_FALSE(def->probes.syscalls.sampling.enabled);

  auto good = parse_config("probes:\n  syscalls:\n    sampling:\n      enabled: true\n      attach_for: 1s\n      period: 4s\n",
                           "s.yaml");
  ASSERT_TRUE(good.ok()) << good.error().message();
  EXPECT_TRUE(good->probes.syscalls.sampling.enabled);
  EXPECT_EQ(good->probes.syscalls.sampling.attach_for, std::chrono::seconds(1));
  EXPECT_EQ(good->probes.syscalls.sampling.period, std::chrono::seconds(4));

  auto longer = parse_config("probes:\n  syscalls:\n    sampling:\n      attach_for: 5s\n      period: 2s\n", "s.yaml");
  ASSERT_FALSE(longer.ok());
  EXPECT_NE(longer.error().message().find("s.yaml:4:19: probes.syscalls.sampling.attach_for: must be at most the period (2s)"),
            std::string::npos)
      << longer.error().message();
  auto zero = parse_config("probes:\n  syscalls:\n    sampling:\n      attach_for: 0s\n      oops: 1\n", "s.yaml");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message().find("s.yaml:4:19: probes.syscalls.sampling.attach_for: must be at least 100ms"),
            std::string::npos)
      << zero.error().message();
  EXPECT_NE(zero.error().message().find("probes.syscalls.sampling.oops: unknown field"), std::string::npos);

  // The budget may not detach the probe the sampling mode cycles.
  auto budget = parse_config(
      "probes:\n  syscalls:\n    sampling:\n      enabled: true\nbudget:\n  cpu_percent: 5\n  keep: [sched]\n",
      "s.yaml");
  ASSERT_FALSE(budget.ok());
  EXPECT_NE(budget.error().message().find("budget.keep: must name syscalls while probes.syscalls.sampling"),
            std::string::npos)
      << budget.error().message();
}

TEST(Config, DurationWithoutUnitIsRejected) {
  auto cfg = parse_config("interval: 5\n", "u.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message().find("has no unit"), std::string::npos);
}

TEST(Config, SyntaxErrorHasLine) {
  auto cfg = parse_config("interval: 1s\n  bad: [\n", "s.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message().find("s.yaml:"), std::string::npos);
  EXPECT_NE(cfg.error().message().find("not valid YAML"), std::string::npos);
}

TEST(Config, NotAMapping) {
  auto cfg = parse_config("- a\n- b\n", "list.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message().find("expected a mapping"), std::string::npos);
}

}  // namespace kscope
