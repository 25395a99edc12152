#include "config/alerts_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace kscope {
namespace {

using ::testing::HasSubstr;

TEST(AlertsConfig, EmbeddedDefaultEqualsTheBuiltInDefaults) {
  auto cfg = parse_config(default_config_text(), "default.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->alerts, AlertsConfig{});
  EXPECT_EQ(cfg->alerts.rules.size(), 12u);
}

TEST(AlertsConfig, FullRuleParses) {
  auto cfg = parse_config(R"(
alerts:
  external_url: http://kscope.example:9494/
  sinks:
    - {name: am, type: alertmanager, url: "http://127.0.0.1:9093"}
    - {name: chat, type: webhook, url: "http://127.0.0.1:8080/hook", format: slack, token_env: HOOK_TOKEN,
       retries: 3, backoff: 200ms, timeout: 2s, queue_size: 10, min_severity: critical}
  rules:
    - name: ReadLatency
      severity: critical
      target: postgres
      kernel_threads: true
      labels: {team: db}
      annotations: {summary: "p99 {value}"}
      for: 1m
      cooldown: 5m
      capture: 30s
      threshold:
        metric: kscope_syscall_latency_seconds
        match: {syscall: "=~read|pread64"}
        stat: p99
        op: ">="
        value: 50ms
        clear_below: 20ms
    - name: ErrorRatio
      consecutive: 3
      threshold: {signal: errors.error_ratio, op: above, value: 5%}
    - name: Budget
      scope: host
      slo:
        objective: 99.9%
        errors: {match: {syscall: openat}}
    - name: Spike
      anomaly: {signal: traffic.syscalls_per_second, method: zscore, window: 120, z: 4, warmup: 10m,
                min_change: 2k/s, direction: both}
)",
                          "t.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  const auto& a = cfg->alerts;
  ASSERT_EQ(a.sinks.size(), 2u);
  EXPECT_EQ(a.sinks[1].format, WebhookFormat::kSlack);
  EXPECT_EQ(a.sinks[1].backoff, std::chrono::milliseconds(200));
  ASSERT_EQ(a.rules.size(), 4u);
  const RuleConfig& r = a.rules[0];
  EXPECT_EQ(r.kind(), RuleKind::kThreshold);
  EXPECT_EQ(std::get<ThresholdRule>(r.spec).op, Comparison::kAtOrAbove);
  EXPECT_DOUBLE_EQ(std::get<ThresholdRule>(r.spec).value, 0.05);
  EXPECT_TRUE(std::get<ThresholdRule>(r.spec).has_clear);
  EXPECT_DOUBLE_EQ(std::get<ThresholdRule>(r.spec).clear, 0.02);
  EXPECT_EQ(r.capture, std::chrono::seconds(30));
  EXPECT_EQ(r.target, "postgres");
  EXPECT_TRUE(r.kernel_threads);
  EXPECT_FALSE(a.rules[1].kernel_threads);  // kernel threads are out of scope by default
  EXPECT_EQ(std::get<ThresholdRule>(a.rules[1].spec).op, Comparison::kAbove);
  EXPECT_DOUBLE_EQ(std::get<ThresholdRule>(a.rules[1].spec).value, 0.05);
  EXPECT_EQ(a.rules[1].consecutive, 3u);
  EXPECT_EQ(std::get<SloRule>(a.rules[2].spec).kind, SloKind::kErrors);
  EXPECT_DOUBLE_EQ(std::get<SloRule>(a.rules[2].spec).objective, 0.999);
  ASSERT_EQ(std::get<SloRule>(a.rules[2].spec).windows.size(), 2u);  // the default pairs
  EXPECT_DOUBLE_EQ(std::get<SloRule>(a.rules[2].spec).windows[0].factor, 14.4);
  EXPECT_DOUBLE_EQ(std::get<AnomalyRule>(a.rules[3].spec).min_change, 2000);
  EXPECT_EQ(std::get<AnomalyRule>(a.rules[3].spec).warmup, std::chrono::minutes(10));
}

// Every error names the line and says what is expected.
// Every word with a fixed vocabulary is checked where it is read: one error
// each, with its place, its key and the allowed values.
TEST(AlertsConfig, UnknownWordsNameTheAllowedOnes) {
  auto cfg = parse_config(R"(alerts:
  sinks:
    - {type: webhook, url: "http://127.0.0.1:1/", format: xml, min_severity: loud}
  routes:
    - {min_severity: Critical}
  rules:
    - name: A
      severity: page
      scope: cluster
      threshold: {signal: latency.syscall.p99, value: 5ms}
    - name: B
      anomaly: {signal: traffic.syscalls_per_second, method: median, direction: sideways}
)",
                          "words.yaml");
  ASSERT_FALSE(cfg);
  const std::string m = cfg.error().message();
  EXPECT_THAT(m, HasSubstr("words.yaml:3:59: alerts.sinks[0].format: expected one of json, slack, got 'xml'"));
  EXPECT_THAT(m, HasSubstr("words.yaml:3:78: alerts.sinks[0].min_severity: expected one of info, warning, "
                           "critical, emergency, got 'loud'"));
  EXPECT_THAT(m, HasSubstr("words.yaml:5:22: alerts.routes[0].min_severity: expected one of info, warning, "
                           "critical, emergency, got 'Critical'"));
  EXPECT_THAT(m, HasSubstr("words.yaml:8:17: alerts.rules[0].severity: expected one of info, warning, critical, "
                           "emergency, got 'page'"));
  EXPECT_THAT(m, HasSubstr("words.yaml:9:14: alerts.rules[0].scope: expected one of targets, host, got 'cluster'"));
  EXPECT_THAT(m, HasSubstr("alerts.rules[1].anomaly.method: expected one of ewma, zscore, got 'median'"));
  EXPECT_THAT(m, HasSubstr("alerts.rules[1].anomaly.direction: expected one of up, down, both, got 'sideways'"));
}

TEST(AlertsConfig, ErrorsHaveLinesAndExpectations) {
  auto cfg = parse_config(R"(alerts:
  rules:
    - name: A
      threshold: {signal: latency.syscall.p99, value: 5%}
    - name: B
      threshold: {signal: traffic.syscalls_per_second, value: 100/s, op: "=>"}
    - name: C
      threshold: {metric: kscope_syscall_errors_total, stat: p99, value: 1/s}
    - name: D
      speed: fast
      threshold: {signal: errors.error_ratio, value: 150%}
    - severity: warning
      threshold: {signal: errors.error_ratio, value: 1%}
    - name: F
    - name: G
      threshold: {signal: latency.syscall.p99, value: 10ms, clear_above: 5ms}
    - name: H
      slo: {objective: 99.9%, latency: {under: 10ms}, windows: [{long: 5m, short: 1h, factor: 2}]}
    - name: I
      scope: host
      kernel_threads: true
      threshold: {signal: saturation.runqueue_p99, value: 50ms}
  sinks:
    - {type: webhook}
    - {type: pager}
)",
                          "bad.yaml");
  ASSERT_FALSE(cfg);
  const std::string& m = cfg.error().message();
  EXPECT_THAT(m, HasSubstr("bad.yaml:4:55: alerts.rules[0].threshold.value: expected a duration like 50ms, got '5%'"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:6:74: alerts.rules[1].threshold.op: expected one of >, >=, <, <="));
  EXPECT_THAT(m, HasSubstr("bad.yaml:8:62: alerts.rules[2].threshold.stat: counter kscope_syscall_errors_total takes one of rate, increase; got"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:10:7: alerts.rules[3].speed: unknown field"));
  EXPECT_THAT(m, HasSubstr("alerts.rules[3].threshold.value: expected a ratio like 5% or 0.05, got '150%'"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:12:7: alerts.rules[4].name: every rule needs a name"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:14:7: alerts.rules[5].threshold: expected exactly one of threshold:, slo: or anomaly:"));
  EXPECT_THAT(m, HasSubstr("alerts.rules[6].threshold.clear_above: with op > the hysteresis field is clear_below"));
  EXPECT_THAT(m, HasSubstr("alerts.rules[7].slo.windows[0].short: must be shorter than the long window"));
  EXPECT_THAT(m, HasSubstr("alerts.rules[8].kernel_threads: a host-scoped rule covers the whole host"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:24:7: alerts.sinks[0].url: expected an http:// or https:// URL for a webhook sink"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:25:14: alerts.sinks[1].type: expected one of log, webhook, alertmanager, email, slack, discord, teams, pagerduty, got 'pager'"));
  // One error per mistake.
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n') + 1, 12) << m;
}

// Request SLOs: availability over a request family's failed series, and
// latency over its histogram; a family kscope does not export is refused.
TEST(AlertsConfig, RequestSlos) {
  auto cfg = parse_config(R"(alerts:
  rules:
    - name: Availability
      target: nginx
      slo: {objective: 99.5%, errors: {metric: http_server_request_duration_seconds,
                                       bad: {http_response_status_code: "=~5.."}}}
    - name: Latency
      slo: {objective: 99%, latency: {metric: http_server_request_duration_seconds, under: 300ms}}
    - name: gRPC availability
      slo: {objective: 99.9%, errors: {metric: rpc_server_call_duration_seconds,
                                       bad: {rpc_grpc_status_code: "=~2|4|12|13|14|15"}}}
)",
                          "ok.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  const auto& a = cfg->alerts.rules;
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(std::get<SloRule>(a[2].spec).metric, "rpc_server_call_duration_seconds");
  EXPECT_EQ(std::get<SloRule>(a[0].spec).kind, SloKind::kErrors);
  EXPECT_EQ(std::get<SloRule>(a[0].spec).metric, "http_server_request_duration_seconds");
  EXPECT_EQ(std::get<SloRule>(a[0].spec).bad, (StringPairs{{"http_response_status_code", "=~5.."}}));
  EXPECT_EQ(std::get<SloRule>(a[1].spec).metric, "http_server_request_duration_seconds");
  EXPECT_DOUBLE_EQ(std::get<SloRule>(a[1].spec).under_seconds, 0.3);

  auto bad = parse_config(R"(alerts:
  rules:
    - name: A
      slo: {objective: 99%, errors: {metric: http_requests_total, bad: {code: "=~5.."}}}
    - name: B
      slo: {objective: 99%, errors: {metric: http_server_request_duration_seconds}}
    - name: C
      slo: {objective: 99%, latency: {metric: my_latency_seconds, under: 1s}}
)",
                          "bad.yaml");
  ASSERT_FALSE(bad);
  const std::string& m = bad.error().message();
  EXPECT_THAT(m, HasSubstr("alerts.rules[0].slo.errors.metric: expected a request family"));
  EXPECT_THAT(m, HasSubstr("alerts.rules[1].slo.errors.bad: expected the labels of failed requests"));
  EXPECT_THAT(m, HasSubstr("alerts.rules[2].slo.latency.metric: expected a latency histogram kscope exports"));
}

TEST(AlertsConfig, ChannelSinksParse) {
  auto cfg = parse_config(R"(
alerts:
  sinks:
    - name: mail
      type: email
      url: smtp://mail.example.com:587
      from: "kscope <alerts@example.com>"
      to: [oncall@example.com, ops@example.com]
      username: kscope
      password_file: /etc/kscope/smtp-password
      ca_file: /etc/ssl/relay.pem
      dashboard_url: https://kscope.example.com
    - {name: relay, type: email, url: "smtp://127.0.0.1:25", starttls: false, from: a@b.c, to: [d@e.f]}
    - {name: chat, type: slack, url: "https://hooks.slack.com/services/T/B/X", min_severity: warning}
    - {name: dc, type: discord, url: "https://discord.com/api/webhooks/1/x"}
    - {name: ms, type: teams, url: "https://example.webhook.office.com/x"}
    - {name: pd, type: pagerduty, routing_key_env: PD_KEY}
)",
                          "t.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  const auto& s = cfg->alerts.sinks;
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0].to, (std::vector<std::string>{"oncall@example.com", "ops@example.com"}));
  EXPECT_TRUE(s[0].starttls);
  EXPECT_EQ(s[0].password_file, "/etc/kscope/smtp-password");
  EXPECT_FALSE(s[1].starttls);
  EXPECT_EQ(s[2].type, SinkType::kSlack);
  EXPECT_EQ(s[5].url, kPagerDutyEventsUrl);
  EXPECT_EQ(s[5].routing_key_env, "PD_KEY");
}

TEST(AlertsConfig, ChannelSinkErrorsPointAtTheField) {
  auto cfg = parse_config(R"(alerts:
  sinks:
    - {name: a, type: email, url: "http://mail:25", from: "nobody", to: ["x@y.z\r\nBcc: evil@e.vil"]}
    - {name: b, type: email, url: "smtp://u:pw@mail:25", from: a@b.c, to: [d@e.f], username: u}
    - {name: c, type: email, url: "smtp://mail:25", from: a@b.c, to: [d@e.f], username: u, password_env: P, starttls: false}
    - {name: d, type: pagerduty}
    - {name: e, type: slack, url: "hooks.slack.com/x", routing_key_env: K, token_env: T}
    - {name: f, type: email, url: "smtps://mail:465"}
)",
                          "bad.yaml");
  ASSERT_FALSE(cfg);
  const std::string& m = cfg.error().message();
  EXPECT_THAT(m, HasSubstr("bad.yaml:3:35: alerts.sinks[0].url: expected smtp://host:port (STARTTLS) or smtps://host:port"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:3:59: alerts.sinks[0].from: expected an address like alerts@example.com"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:3:73: alerts.sinks[0].to: expected addresses like oncall@example.com, got 'x@y.z\\x0d\\x0aBcc"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:4:35: alerts.sinks[1].url: no credentials in the URL"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:4:94: alerts.sinks[1].username: SMTP AUTH needs password_file or password_env"));
  EXPECT_THAT(m, HasSubstr("alerts.sinks[2].starttls: starttls: false with a username would send the password in plain text"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:6:7: alerts.sinks[3].routing_key_file: missing; a pagerduty sink needs"));
  EXPECT_THAT(m, HasSubstr("alerts.sinks[4].url: expected an http:// or https:// URL for a slack sink"));
  EXPECT_THAT(m, HasSubstr("alerts.sinks[4].routing_key_env: routing_key_env applies to pagerduty sinks only"));
  EXPECT_THAT(m, HasSubstr("alerts.sinks[4].token_env: token_env applies to webhook and alertmanager sinks only"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:8:7: alerts.sinks[5].from: missing; an email sink needs a sender"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:8:7: alerts.sinks[5].to: missing; an email sink needs at least one recipient"));
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n') + 1, 12) << m;
}

TEST(AlertsConfig, RuleValueUnits) {
  double v = 0;
  std::string err;
  EXPECT_TRUE(parse_rule_value("250us", "duration", v, err));
  EXPECT_DOUBLE_EQ(v, 250e-6);
  EXPECT_TRUE(parse_rule_value("2.5%", "ratio", v, err));
  EXPECT_DOUBLE_EQ(v, 0.025);
  EXPECT_TRUE(parse_rule_value("0.3", "ratio", v, err));
  EXPECT_DOUBLE_EQ(v, 0.3);
  EXPECT_TRUE(parse_rule_value("120/m", "rate", v, err));
  EXPECT_DOUBLE_EQ(v, 2);
  EXPECT_TRUE(parse_rule_value("1.5M/s", "rate", v, err));
  EXPECT_DOUBLE_EQ(v, 1.5e6);
  EXPECT_FALSE(parse_rule_value("10", "duration", v, err));
  EXPECT_THAT(err, HasSubstr("a duration needs a unit"));
  EXPECT_FALSE(parse_rule_value("10ms", "rate", v, err));
  EXPECT_EQ(err, "expected a rate like 100/s, got '10ms'");
  EXPECT_FALSE(parse_rule_value("abc", "number", v, err));
  EXPECT_FALSE(parse_rule_value("inf", "number", v, err));
}

// A ratio rule grouped by a label of its own; its value is a ratio.
TEST(AlertsConfig, RatioRuleByALabel) {
  auto cfg = parse_config(R"(alerts:
  rules:
    - name: DiskNearlyFull
      scope: host
      threshold:
        metric: node_filesystem_avail_bytes
        by: mountpoint
        divide_by: {metric: node_filesystem_size_bytes}
        op: "<"
        value: 10%
    - name: Bad
      threshold:
        metric: kscope_cgroup_cpu_throttled_periods_total
        by: "not a label"
        value: 25%
    - name: Bad2
      threshold:
        signal: saturation.runqueue_p99
        by: cgroup
        value: 1ms
)", "r.yaml");
  ASSERT_FALSE(cfg.ok());
  const std::string m = cfg.error().message();
  EXPECT_THAT(m, HasSubstr("alerts.rules[1].threshold.by: expected a label name"));
  EXPECT_THAT(m, HasSubstr("alerts.rules[2].threshold"));
  EXPECT_THAT(m, HasSubstr("apply to metric sources, not signals"));
  auto good = parse_config(R"(alerts:
  rules:
    - name: DiskNearlyFull
      scope: host
      threshold:
        metric: node_filesystem_avail_bytes
        by: mountpoint
        divide_by: {metric: node_filesystem_size_bytes}
        op: "<"
        value: 10%
)", "r.yaml");
  ASSERT_TRUE(good.ok()) << good.error().message();
  const auto& rule = good->alerts.rules.back();
  EXPECT_EQ(std::get<ThresholdRule>(rule.spec).source.by, "mountpoint");
  EXPECT_EQ(std::get<ThresholdRule>(rule.spec).source.stat, "sum");
  EXPECT_EQ(std::get<ThresholdRule>(rule.spec).source.divide_by.metric, "node_filesystem_size_bytes");
  EXPECT_EQ(std::get<ThresholdRule>(rule.spec).source.divide_by.stat, "sum");
  EXPECT_EQ(rule_unit(rule), "ratio");
  EXPECT_DOUBLE_EQ(std::get<ThresholdRule>(rule.spec).value, 0.1);
}

}  // namespace
}  // namespace kscope
