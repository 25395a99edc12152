// The `alerts:` part of the config: rules, sinks and profile capture. Parsed
// and fully validated by read_alerts_config (a rule that gets past it can
// always be built), so `kscope run --check-config` catches every mistake.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/duration.h"
#include "config/anomaly_options.h"
#include "config/comparison.h"
#include "config/notify_config.h"
#include "config/rule_kind.h"
#include "config/rule_scope.h"
#include "config/severity.h"
#include "config/sink_type.h"
#include "config/slo_kind.h"
#include "config/webhook_format.h"

namespace kscope {

class YamlSection;

using StringPairs = std::vector<std::pair<std::string, std::string>>;

// The denominator of a ratio rule: another metric read the same way.
struct RuleDenominator {
  std::string metric;  // empty: the rule is not a ratio
  StringPairs match;
  std::string stat;
  bool operator==(const RuleDenominator&) const = default;
};

// What a threshold or anomaly rule reads: a signal by its dotted path
// (signals/signals.h), or a metric with label matchers and a statistic.
struct RuleSource {
  std::string signal;
  std::string metric;
  StringPairs match;  // label -> "value" | "!=value" | "=~regex" | "!~regex"
  std::string stat;   // statistic name (metric sources), see signals/metric_query.h
  // Metric sources: group by this label instead of the breakdown target
  // (e.g. cgroup, device, mountpoint); the alert carries it as its label.
  std::string by;
  // Metric sources: the value is metric / divide_by per group (a ratio),
  // groups whose denominator is 0 left out. E.g. throttled periods over
  // periods, available bytes over size.
  RuleDenominator divide_by;
  bool operator==(const RuleSource&) const = default;
};

struct ThresholdRule {
  RuleSource source;
  Comparison op = Comparison::kAbove;
  double value = 0;      // base units: seconds, ratio 0..1, per second
  // Hysteresis: once firing, the alert resolves only when the value crosses
  // this (below it for > and >=, above it for < and <=). NaN-free: has_clear.
  bool has_clear = false;
  double clear = 0;
  bool operator==(const ThresholdRule&) const = default;
};

struct BurnWindow {
  Nanos long_window{};
  Nanos short_window{};
  double factor = 1;
  bool operator==(const BurnWindow&) const = default;
};

struct SloRule {
  double objective = 0.999;  // fraction of good events
  // latency: good = observations of `metric` (a histogram) under `under`;
  // errors: bad = kscope_syscall_errors_total, total = syscall calls; or,
  // with `bad` set, total = observations of `metric` (a request duration
  // histogram) and bad = those whose series also match `bad`
  // (http_response_status_code: "=~5..").
  SloKind kind = SloKind::kLatency;
  std::string metric = "kscope_syscall_latency_seconds";
  StringPairs match;
  StringPairs bad;
  double under_seconds = 0;
  std::vector<BurnWindow> windows;
  bool operator==(const SloRule&) const = default;
};

struct AnomalyRule {
  RuleSource source;
  AnomalyMethod method = AnomalyMethod::kEwma;
  double alpha = 0.1;           // ewma smoothing
  uint32_t window = 60;         // zscore: samples in the rolling window
  double z = 3;                 // deviations from the baseline that count
  Nanos warmup = std::chrono::minutes(5);
  double min_change = 0;        // absolute difference from the baseline that counts, source units
  AnomalyDirection direction = AnomalyDirection::kUp;
  bool operator==(const AnomalyRule&) const = default;
};

// What a rule evaluates, in the order of RuleKind (config/rule_kind.h): a
// rule is exactly one kind, and only that kind's fields exist.
using RuleSpec = std::variant<ThresholdRule, SloRule, AnomalyRule>;

struct RuleConfig {
  std::string name;
  Severity severity = Severity::kWarning;
  RuleScope scope = RuleScope::kTargets;  // each breakdown value, or host-wide
  std::string target;                     // only this breakdown value; empty: every target
  // Kernel threads (targets whose series carry kernel="true": ksoftirqd,
  // kworker, rcu_preempt, ...) are in scope too. Off by default: they wait
  // on busy CPUs by design, and nobody can act on their latency.
  bool kernel_threads = false;
  StringPairs labels;
  StringPairs annotations;
  Nanos for_duration{0};       // the condition must hold this long before firing
  uint32_t consecutive = 0;    // or this many evaluations
  Nanos cooldown{0};           // after resolving, no new firing of the same alert for this long
  Nanos capture{0};            // record flame graphs of the target this long when it fires
  RuleSpec spec;
  bool operator==(const RuleConfig&) const = default;

  RuleKind kind() const { return static_cast<RuleKind>(spec.index()); }
  // What a threshold or anomaly rule reads; nullptr for an SLO rule (its
  // metrics are its own, SloRule).
  const RuleSource* source() const;
};

struct SinkConfig {
  std::string name;
  SinkType type = SinkType::kLog;
  // webhook, slack, discord, teams: the URL posted to; alertmanager: its base
  // URL (http://host:9093); pagerduty: the Events API v2 endpoint; email: the
  // SMTP server, smtp://host:587 (STARTTLS) or smtps://host:465 (implicit TLS).
  std::string url;
  Nanos timeout = std::chrono::seconds(5);
  uint32_t retries = 5;  // after the first attempt
  Nanos backoff = std::chrono::seconds(1);  // doubled after each failed attempt, capped at 60s
  std::string token_env;                    // bearer token from this environment variable
  WebhookFormat format = WebhookFormat::kJson;  // webhook sinks only
  uint32_t queue_size = 256;                // notifications waiting; more are dropped and counted
  Severity min_severity = Severity::kInfo;
  // Base of the dashboard link in messages; empty: alerts.external_url.
  std::string dashboard_url;
  // email: envelope and header sender ("alerts@example.com" or
  // "kscope <alerts@example.com>") and the recipients.
  std::string from;
  std::vector<std::string> to;
  // email: SMTP AUTH. The password is never in the config: the first line of
  // password_file, else the variable password_env.
  std::string username;
  std::string password_file;
  std::string password_env;
  // email over smtp://: require STARTTLS (false: plain text, for a relay on
  // loopback). smtps:// is TLS from the first byte either way.
  bool starttls = true;
  // email, and the https:// sinks: the CA bundle that signs the server's
  // certificate (a self-signed relay), or no verification at all.
  std::string ca_file;
  bool tls_insecure = false;
  // pagerduty: the integration's routing key, from the first line of
  // routing_key_file, else the variable routing_key_env.
  std::string routing_key_file;
  std::string routing_key_env;
  bool operator==(const SinkConfig&) const = default;
};

// A pagerduty sink's url when none is given: PagerDuty's public endpoint.
inline constexpr const char* kPagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

struct CaptureConfig {
  std::string dir = "/var/lib/kscope/captures";
  uint32_t max_count = 20;                 // captures kept; the oldest go first
  uint64_t max_bytes = 256ull << 20;       // total size kept
  bool operator==(const CaptureConfig&) const = default;
};

inline constexpr std::string_view kDefaultAlertStateDir = "/var/lib/kscope/alerts";

struct AlertsConfig {
  bool enabled = true;
  // Base of links in notifications (generatorURL, capture URLs); empty:
  // http://<http.listen>.
  std::string external_url;
  // Firing alerts are re-sent to Alertmanager this often so it keeps them.
  Nanos resend_interval = std::chrono::minutes(1);
  // The latency signal covers these syscalls; empty: all of them.
  std::vector<std::string> signal_syscalls;
  // Idle waits (epoll_wait, sleeps, futex waits, …) in the latency signal.
  bool signal_include_idle_waits = false;
  CaptureConfig capture;
  // Silences, acknowledgements and what was sent for firing alerts are kept
  // here, so a restart neither pages again nor forgets a silence. Empty:
  // kept in memory only. alert_state_dir() says where it is.
  std::string state_dir = std::string(kDefaultAlertStateDir);
  NotifyConfig notify;
  std::vector<RouteConfig> routes;  // empty: one route to every sink
  std::vector<MaintenanceConfig> maintenance;
  std::vector<SinkConfig> sinks = default_alert_sinks();
  std::vector<RuleConfig> rules = default_alert_rules();
  bool operator==(const AlertsConfig&) const = default;

  static std::vector<SinkConfig> default_alert_sinks();
  static std::vector<RuleConfig> default_alert_rules();
};

// Reads the `alerts:` section into out, appending "file:line:col: field:
// message" errors. Calls finish() on the section.
void read_alerts_config(YamlSection alerts, AlertsConfig& out);

// The notification policy keys of `alerts:` (routes, notify, maintenance),
// checked against the sinks already read into out.
void read_notify_config(YamlSection& alerts, AlertsConfig& out);

// The unit a rule's value is in: "duration", "ratio", "rate", "number", or
// "burn" (SLO burn rates, a multiple of the budget).
std::string rule_unit(const RuleConfig& rule);

// Where the alert state is kept: alerts.state_dir; when that is the default,
// $KSCOPE_STATE_DIR/alerts if the variable is set (an agent per checkout,
// as the e2e tests run, each with its own state).
std::string alert_state_dir(const AlertsConfig& alerts);

// A rule value with its unit: "50ms" -> 0.05, "5%" -> 0.05, "100/s" -> 100,
// "2k/s" -> 2000, "0.5" -> 0.5. `unit` is what the source is measured in
// ("duration", "ratio", "rate", "number"); a value of another unit is an
// error saying what is expected.
bool parse_rule_value(const std::string& text, const std::string& unit, double& out, std::string& error);

}  // namespace kscope
