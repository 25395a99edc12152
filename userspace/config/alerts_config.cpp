#include "config/alerts_config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <type_traits>

#include "common/escape.h"
#include "config/yaml_reader.h"
#include "query/label_matcher.h"
#include "query/statistic.h"
#include "signals/signals.h"

namespace kscope {

// RuleConfig::kind() is the variant's index.
static_assert(std::is_same_v<std::variant_alternative_t<size_t(RuleKind::kThreshold), RuleSpec>, ThresholdRule> &&
              std::is_same_v<std::variant_alternative_t<size_t(RuleKind::kSlo), RuleSpec>, SloRule> &&
              std::is_same_v<std::variant_alternative_t<size_t(RuleKind::kAnomaly), RuleSpec>, AnomalyRule>);

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The unit a signal is measured in.
std::string signal_unit(const std::string& path) {
  if (path.starts_with("latency.")) return path.ends_with(".count") ? "number" : "duration";
  if (path == "saturation.runqueue_p99" || path == "saturation.disk_latency_p99") return "duration";
  if (path.find("_pressure") != std::string::npos) return "ratio";
  if (path.ends_with("_ratio") || path.ends_with("utilization")) return "ratio";
  if (path.ends_with("_per_second") || path.starts_with("errors.by_class.")) return "rate";
  return "number";
}

// The unit of a statistic of a metric of the given type.
std::string statistic_unit(Statistic stat, MetricType type) {
  if (stat.kind == Statistic::Kind::kRate) return "rate";
  if (type == MetricType::kHistogram && stat.kind != Statistic::Kind::kIncrease) return "duration";
  return "number";
}

// The metric type a rule's metric has, from Prometheus' naming rules: the
// snapshot is not there when the config is read.
MetricType type_from_name(const std::string& metric) {
  if (metric.ends_with("_total")) return MetricType::kCounter;
  if (metric.starts_with("kscope_") && metric.ends_with("_seconds")) return MetricType::kHistogram;
  return MetricType::kGauge;
}

const char* unit_example(const std::string& unit) {
  if (unit == "duration") return "a duration like 50ms";
  if (unit == "ratio") return "a ratio like 5% or 0.05";
  if (unit == "rate") return "a rate like 100/s";
  return "a number like 4";
}

bool valid_label_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

void read_matchers(YamlSection& s, const StringPairs& match) {
  for (const auto& [name, spec] : match) {
    if (!valid_label_name(name)) s.error("match", "label name '" + name + "' is not a Prometheus label name");
    auto m = LabelMatcher::parse_spec(name, spec);
    if (!m) s.error("match", "label " + name + ": " + m.error().message());
  }
}

// Checks a metric name and its statistic (defaulting it); returns the unit
// of the value, "" on error. Rules read kscope's metrics and the host's
// node_exporter-named ones.
std::string read_metric_stat(YamlSection& s, const std::string& where, const std::string& metric, std::string& stat) {
  (void)where;
  if (!metric.starts_with("kscope_") && !metric.starts_with("node_")) {
    s.error("metric", "expected a kscope metric name (kscope_... or the host's node_...), got '" + metric + "'");
    return "";
  }
  const MetricType type = type_from_name(metric);
  // A rule reads one interval: a gauge's value is the sum of the series its
  // matchers select (the value of the one series they usually name).
  if (stat.empty()) stat = type == MetricType::kGauge ? "sum" : statistic_name(default_statistic(type), type);
  auto parsed = parse_statistic(stat);
  if (!parsed) {
    s.error("stat", "expected one of " + join(statistic_names()) + ", got '" + stat + "'");
    return "";
  }
  if (!statistic_fits(*parsed, type)) {
    const char* fits = type == MetricType::kCounter ? "rate, increase"
                       : type == MetricType::kGauge ? "avg, min, max, sum"
                                                    : "pNN (p50, p99, p999), avg, rate, increase";
    const char* kind = type == MetricType::kCounter ? "counter" : type == MetricType::kGauge ? "gauge" : "histogram";
    s.error("stat", std::string(kind) + " " + metric + " takes one of " + fits + "; got '" + stat + "'");
    return "";
  }
  return statistic_unit(*parsed, type);
}

// Reads signal | metric + match + stat (+ by, divide_by); returns the unit of
// the source, "" on error.
std::string read_source(YamlSection& s, RuleSource& out, bool required) {
  s.read("signal", out.signal);
  s.read("metric", out.metric);
  s.read("stat", out.stat);
  s.read_map("match", out.match);
  read_matchers(s, out.match);
  if (!out.signal.empty() && !out.metric.empty()) {
    s.error("metric", "give either signal or metric, not both");
    return "";
  }
  if (!out.signal.empty()) {
    const auto& names = signal_names();
    if (std::find(names.begin(), names.end(), out.signal) == names.end()) {
      s.error("signal", "unknown signal '" + out.signal + "'; expected one of " + join(names));
      return "";
    }
    if (!out.match.empty() || !out.stat.empty() || s.has("by") || s.has("divide_by")) {
      s.error(out.match.empty() ? (out.stat.empty() ? (s.has("by") ? "by" : "divide_by") : "stat") : "match",
              "match, stat, by and divide_by apply to metric sources, not signals");
      return "";
    }
    return signal_unit(out.signal);
  }
  if (!out.metric.empty()) {
    std::string unit = read_metric_stat(s, "", out.metric, out.stat);
    if (unit.empty()) return "";
    s.read("by", out.by);
    if (!out.by.empty() && !valid_label_name(out.by)) {
      s.error("by", "expected a label name to group by (cgroup, device, ...), got '" + out.by + "'");
      return "";
    }
    if (!s.has("divide_by")) return unit;
    auto d = s.section("divide_by");
    d.read("metric", out.divide_by.metric);
    d.read("stat", out.divide_by.stat);
    d.read_map("match", out.divide_by.match);
    read_matchers(d, out.divide_by.match);
    if (out.divide_by.metric.empty()) d.error("metric", "expected the metric to divide by");
    std::string dunit = out.divide_by.metric.empty()
                            ? ""
                            : read_metric_stat(d, "divide_by.", out.divide_by.metric, out.divide_by.stat);
    d.finish();
    return dunit.empty() ? "" : "ratio";
  }
  if (required) s.error("signal", "expected a signal (e.g. latency.syscall.p99) or a metric to read");
  return "";
}

// Reads a value field in the source's unit. Returns false when absent or bad.
bool read_value(YamlSection& s, const std::string& key, const std::string& unit, double& out, bool required) {
  std::string text;
  if (!s.has(key)) {
    s.read(key, text);
    if (required) s.error(key, "missing; expected " + std::string(unit_example(unit)));
    return false;
  }
  s.read(key, text);
  std::string err;
  if (!parse_rule_value(text, unit, out, err)) {
    s.error(key, err);
    return false;
  }
  return true;
}

void read_threshold(YamlSection s, ThresholdRule& out) {
  std::string unit = read_source(s, out.source, true);
  std::string op(to_string(out.op));
  s.read("op", op);
  if (auto c = parse_comparison(op)) {
    out.op = *c;
  } else {
    s.error("op", "expected one of " + enum_name_list(kComparisonNames) +
                      " (quoted in YAML: op: \">\") or above, below; got '" + op + "'");
  }
  if (unit.empty()) {
    // The source is wrong (already reported): its unit is unknown.
    for (const char* k : {"value", "clear_below", "clear_above"}) {
      std::string ignored;
      s.read(k, ignored);
    }
    s.finish();
    return;
  }
  read_value(s, "value", unit, out.value, true);
  const bool above = fires_above(out.op);
  if (s.has("clear_below") && s.has("clear_above")) s.error("clear_above", "give clear_below or clear_above, not both");
  if (s.has("clear_below") || s.has("clear_above")) {
    const std::string key = s.has("clear_below") ? "clear_below" : "clear_above";
    if (read_value(s, key, unit, out.clear, false)) {
      out.has_clear = true;
      if ((key == "clear_below") != above) {
        s.error(key, "with op " + std::string(to_string(out.op)) + " the hysteresis field is " +
                         (above ? "clear_below" : "clear_above"));
      } else if (above ? out.clear > out.value : out.clear < out.value) {
        s.error(key, std::string("must be ") + (above ? "at or below" : "at or above") + " value, so the alert clears past it");
      }
    }
  }
  double ignored;
  if (!s.has("clear_below")) read_value(s, "clear_below", unit, ignored, false);
  if (!s.has("clear_above")) read_value(s, "clear_above", unit, ignored, false);
  s.finish();
}

// The request engines' duration families (docs/requests.md,
// docs/databases.md, docs/http2.md): OpenTelemetry's names, not kscope_.
constexpr const char* kRequestHistogramNames[] = {
    "http_server_request_duration_seconds", "http_client_request_duration_seconds",
    "db_client_operation_duration_seconds", "kscope_db_server_operation_duration_seconds",
    "rpc_server_call_duration_seconds",     "rpc_client_call_duration_seconds",
};

std::string request_histograms_text() {
  std::string out;
  for (const char* n : kRequestHistogramNames) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

bool is_request_histogram(const std::string& name) {
  return std::any_of(std::begin(kRequestHistogramNames), std::end(kRequestHistogramNames),
                     [&name](const char* n) { return name == n; });
}

bool is_latency_histogram(const std::string& name) {
  return (name.starts_with("kscope_") && name.ends_with("_seconds")) || is_request_histogram(name);
}

void read_slo(YamlSection s, SloRule& out) {
  std::string objective;
  s.read("objective", objective);
  if (objective.empty()) {
    s.error("objective", "missing; expected a percentage like 99.9%");
  } else {
    double v;
    std::string err;
    if (!parse_rule_value(objective, "ratio", v, err) || v <= 0 || v >= 1) {
      s.error("objective", "expected a percentage between 0% and 100% (exclusive) like 99.9%, got '" + objective + "'");
    } else {
      out.objective = v;
    }
  }
  bool lat = s.has("latency"), errs = s.has("errors");
  if (lat == errs) s.error("latency", "expected exactly one of latency: {under: 10ms, ...} or errors: {...}");
  auto l = s.section("latency");
  auto e = s.section("errors");
  if (lat) {
    out.kind = SloKind::kLatency;
    l.read("metric", out.metric);
    l.read_map("match", out.match);
    read_value(l, "under", "duration", out.under_seconds, true);
    if (!is_latency_histogram(out.metric)) {
      l.error("metric", "expected a latency histogram kscope exports (kscope_..._seconds, or a request family: " +
                            request_histograms_text() + "), got '" + out.metric + "'");
    }
  }
  if (errs) {
    out.kind = SloKind::kErrors;
    e.read_map("match", out.match);
    // Requests: a duration histogram whose `bad` series failed.
    if (e.has("metric") || e.has("bad")) {
      e.read("metric", out.metric);
      e.read_map("bad", out.bad);
      if (!is_request_histogram(out.metric)) {
        e.error("metric", "expected a request family (" + request_histograms_text() + "), got '" +
                              out.metric + "'");
      }
      if (out.bad.empty()) {
        e.error("bad", "expected the labels of failed requests, e.g. {http_response_status_code: \"=~5..\"}");
      }
    }
  }
  for (const auto& [name, spec] : out.match) {
    auto m = LabelMatcher::parse_spec(name, spec);
    if (!m) (lat ? l : e).error("match", "label " + name + ": " + m.error().message());
  }
  for (const auto& [name, spec] : out.bad) {
    auto m = LabelMatcher::parse_spec(name, spec);
    if (!m) e.error("bad", "label " + name + ": " + m.error().message());
  }
  l.finish();
  e.finish();
  out.windows.clear();
  s.each("windows", [&out](YamlSection& w) {
    BurnWindow bw;
    w.read("long", bw.long_window);
    w.read("short", bw.short_window);
    w.read("factor", bw.factor);
    if (bw.long_window.count() <= 0) w.error("long", "expected the long window, a duration like 1h");
    if (bw.short_window.count() <= 0) w.error("short", "expected the short window, a duration like 5m");
    if (bw.short_window >= bw.long_window && bw.long_window.count() > 0) {
      w.error("short", "must be shorter than the long window");
    }
    if (bw.factor <= 0) w.error("factor", "expected a burn-rate factor above 0, like 14.4");
    w.finish();
    out.windows.push_back(bw);
  });
  if (out.windows.empty()) {
    // The SRE workbook's page-worthy pair and ticket-worthy pair.
    out.windows = {{std::chrono::hours(1), std::chrono::minutes(5), 14.4},
                   {std::chrono::hours(6), std::chrono::minutes(30), 6}};
  }
  s.finish();
}

void read_anomaly(YamlSection s, AnomalyRule& out) {
  std::string unit = read_source(s, out.source, true);
  s.read_enum("method", out.method, kAnomalyMethodNames);
  s.read("alpha", out.alpha);
  if (out.alpha <= 0 || out.alpha > 1) s.error("alpha", "expected a smoothing factor in (0, 1], like 0.1");
  s.read("window", out.window, 5, 100000);
  s.read("z", out.z);
  if (out.z <= 0) s.error("z", "expected a positive number of standard deviations, like 3");
  s.read("warmup", out.warmup);
  if (unit.empty()) {
    std::string ignored;
    s.read("min_change", ignored);  // the source is wrong (reported): its unit is unknown
  } else {
    read_value(s, "min_change", unit, out.min_change, false);
  }
  s.read_enum("direction", out.direction, kAnomalyDirectionNames);
  s.finish();
}

void read_rule(YamlSection& r, RuleConfig& out, std::set<std::string>& names) {
  r.read("name", out.name);
  if (out.name.empty()) {
    r.error("name", "every rule needs a name (it becomes the alertname label)");
  } else if (!names.insert(out.name).second) {
    r.error("name", "duplicate rule name '" + out.name + "'");
  }
  r.read_enum("severity", out.severity, kSeverityNames);
  r.read_enum("scope", out.scope, kRuleScopeNames);
  r.read("target", out.target);
  const bool host = out.scope == RuleScope::kHost;
  if (!out.target.empty() && host) r.error("target", "a host-scoped rule cannot name a target");
  r.read("kernel_threads", out.kernel_threads);
  if (out.kernel_threads && host) {
    r.error("kernel_threads", "a host-scoped rule covers the whole host, kernel threads included");
  }
  r.read_map("labels", out.labels);
  for (const auto& [k, v] : out.labels) {
    if (!valid_label_name(k)) r.error("labels", "'" + k + "' is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
  }
  r.read_map("annotations", out.annotations);
  r.read("for", out.for_duration);
  r.read("consecutive", out.consecutive, 0, 100000);
  if (out.for_duration.count() > 0 && out.consecutive > 0) r.error("consecutive", "give either for or consecutive, not both");
  r.read("cooldown", out.cooldown);
  r.read("capture", out.capture);
  if (out.capture > std::chrono::minutes(10)) r.error("capture", "expected at most 10m of profiling");
  int kinds = int(r.has("threshold")) + int(r.has("slo")) + int(r.has("anomaly"));
  if (kinds != 1) {
    r.error("threshold", "expected exactly one of threshold:, slo: or anomaly: in rule '" + out.name + "'");
  }
  // Each kind given is read (its mistakes reported too); two or more are
  // already an error above.
  if (r.has("threshold")) {
    read_threshold(r.section("threshold"), out.spec.emplace<ThresholdRule>());
  } else {
    r.section("threshold");
  }
  if (r.has("slo")) {
    read_slo(r.section("slo"), out.spec.emplace<SloRule>());
  } else {
    r.section("slo");
  }
  if (r.has("anomaly")) {
    read_anomaly(r.section("anomaly"), out.spec.emplace<AnomalyRule>());
  } else {
    r.section("anomaly");
  }
  r.finish();
}

// An e-mail address as SMTP and a header take it: local@domain, without
// spaces, angle brackets, quotes or control characters (no header injection).
bool plain_address(const std::string& a) {
  auto at = a.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= a.size() || a.size() > 254) return false;
  for (unsigned char c : a) {
    if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == '(' || c == ')') return false;
  }
  return true;
}

// "alerts@example.com" or "Display Name <alerts@example.com>".
bool valid_from(const std::string& from) {
  auto lt = from.find('<');
  if (lt == std::string::npos) return plain_address(from);
  if (from.back() != '>') return false;
  for (unsigned char c : from.substr(0, lt)) {
    if (c < ' ' || c == 0x7f || c == '"' || c == '<' || c == '>') return false;
  }
  return plain_address(from.substr(lt + 1, from.size() - lt - 2));
}

bool http_url(const std::string& url) { return url.starts_with("http://") || url.starts_with("https://"); }

void read_sink(YamlSection& s, SinkConfig& out, std::set<std::string>& names) {
  // By its name first: a sink without a valid type gets no default name.
  std::string type;
  s.read_enum("type", type, enum_name_strings(kSinkTypeNames));
  if (auto t = parse_sink_type(type)) out.type = *t;
  s.read("name", out.name);
  if (out.name.empty()) out.name = type;
  if (!out.name.empty() && !names.insert(out.name).second) {
    s.error("name", "duplicate sink name '" + out.name + "'; give each sink its own name");
  }
  s.read("url", out.url);
  s.read("timeout", out.timeout);
  s.read("retries", out.retries, 0, 100);
  s.read("backoff", out.backoff);
  s.read("token_env", out.token_env);
  s.read_enum("format", out.format, kWebhookFormatNames);
  s.read("queue_size", out.queue_size, 1, 100000);
  s.read_enum("min_severity", out.min_severity, kSeverityNames);
  s.read("dashboard_url", out.dashboard_url);
  s.read("from", out.from);
  s.read_strings("to", out.to);
  s.read("username", out.username);
  s.read("password_file", out.password_file);
  s.read("password_env", out.password_env);
  s.read("starttls", out.starttls);
  s.read("ca_file", out.ca_file);
  s.read("tls_insecure", out.tls_insecure);
  s.read("routing_key_file", out.routing_key_file);
  s.read("routing_key_env", out.routing_key_env);
  if (!s.has("type")) s.error("type", "missing; expected one of " + enum_name_list(kSinkTypeNames));
  const SinkType t = out.type;
  if (t == SinkType::kPagerDuty && out.url.empty()) out.url = kPagerDutyEventsUrl;
  if (posts_to_http_url(t)) {
    if (!http_url(out.url)) {
      s.error("url", "expected an http:// or https:// URL for a " + std::string(to_string(t)) + " sink, got '" +
                         out.url + "'");
    }
  }
  if (!out.dashboard_url.empty() && !http_url(out.dashboard_url)) {
    s.error("dashboard_url", "expected an http:// or https:// URL, got '" + out.dashboard_url + "'");
  }
  if (t == SinkType::kEmail) {
    if (!out.url.starts_with("smtp://") && !out.url.starts_with("smtps://")) {
      s.error("url", "expected smtp://host:port (STARTTLS) or smtps://host:port (implicit TLS) for an email sink, got '" +
                         out.url + "'");
    }
    auto authority = out.url.substr(0, out.url.find('/', out.url.find("://") + 3));
    if (authority.find('@') != std::string::npos) {
      s.error("url", "no credentials in the URL: put the user in username and the password in password_file or "
                     "password_env");
    }
    if (!out.username.empty() && !out.starttls && out.url.starts_with("smtp://")) {
      s.error("starttls", "starttls: false with a username would send the password in plain text; use STARTTLS or "
                          "smtps://");
    }
    if (!s.has("from")) s.error("from", "missing; an email sink needs a sender like alerts@example.com");
    else if (!valid_from(out.from)) {
      s.error("from", "expected an address like alerts@example.com or 'kscope <alerts@example.com>', got '" +
                          printable(out.from) + "'");
    }
    if (!s.has("to") || out.to.empty()) s.error("to", "missing; an email sink needs at least one recipient");
    for (const auto& rcpt : out.to) {
      if (!plain_address(rcpt)) s.error("to", "expected addresses like oncall@example.com, got '" + printable(rcpt) + "'");
    }
    if (!out.username.empty() && out.password_file.empty() && out.password_env.empty()) {
      s.error("username", "SMTP AUTH needs password_file or password_env (the password is never in the config)");
    }
    if (out.username.empty() && (!out.password_file.empty() || !out.password_env.empty())) {
      s.error(out.password_file.empty() ? "password_env" : "password_file", "a password needs a username");
    }
  } else {
    for (const char* key : {"from", "to", "username", "password_file", "password_env", "starttls"}) {
      if (s.has(key)) s.error(key, std::string(key) + " applies to email sinks only");
    }
  }
  if (t == SinkType::kPagerDuty) {
    if (out.routing_key_file.empty() && out.routing_key_env.empty()) {
      s.error("routing_key_file", "missing; a pagerduty sink needs routing_key_file or routing_key_env "
                                  "(the integration key is never in the config)");
    }
  } else {
    for (const char* key : {"routing_key_file", "routing_key_env"}) {
      if (s.has(key)) s.error(key, std::string(key) + " applies to pagerduty sinks only");
    }
  }
  if (s.has("token_env") && t != SinkType::kWebhook && t != SinkType::kAlertmanager) {
    s.error("token_env", "token_env applies to webhook and alertmanager sinks only");
  }
  if (t == SinkType::kLog && (s.has("url") || s.has("dashboard_url"))) {
    s.error(s.has("url") ? "url" : "dashboard_url", "a log sink has no URL");
  }
  if (out.timeout.count() <= 0) s.error("timeout", "expected a positive duration like 5s");
  if (s.has("format") && t != SinkType::kWebhook) s.error("format", "format applies to webhook sinks only");
  s.finish();
}

}  // namespace

std::string alert_state_dir(const AlertsConfig& alerts) {
  const char* env = std::getenv("KSCOPE_STATE_DIR");
  if (alerts.state_dir != kDefaultAlertStateDir || env == nullptr || *env == '\0') return alerts.state_dir;
  return std::string(env) + "/alerts";
}

const RuleSource* RuleConfig::source() const {
  if (const auto* t = std::get_if<ThresholdRule>(&spec)) return &t->source;
  if (const auto* a = std::get_if<AnomalyRule>(&spec)) return &a->source;
  return nullptr;
}

std::string rule_unit(const RuleConfig& rule) {
  const RuleSource* source = rule.source();
  if (source == nullptr) return "burn";
  const RuleSource& src = *source;
  if (!src.signal.empty()) return signal_unit(src.signal);
  if (!src.divide_by.metric.empty()) return "ratio";
  const MetricType type = type_from_name(src.metric);
  return statistic_unit(parse_statistic(src.stat).value_or(default_statistic(type)), type);
}

bool parse_rule_value(const std::string& text, const std::string& unit, double& out, std::string& error) {
  const std::string expected = std::string("expected ") + unit_example(unit) + ", got '" + text + "'";
  if (text.empty()) {
    error = expected;
    return false;
  }
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(v)) {
    error = expected;
    return false;
  }
  std::string rest(end);
  if (unit == "duration") {
    auto d = parse_duration(text);
    if (!d) {
      error = expected + (rest.empty() ? " (a duration needs a unit: ns, us, ms, s, m, h)" : "");
      return false;
    }
    out = static_cast<double>(d->count()) * 1e-9;
    return true;
  }
  if (rest == "%") {
    if (unit != "ratio") {
      error = expected;
      return false;
    }
    if (v < 0 || v > 100) {
      error = expected + " (a percentage is from 0% to 100%)";
      return false;
    }
    out = v / 100;
    return true;
  }
  double scale = 1;
  if (!rest.empty() && (rest[0] == 'k' || rest[0] == 'M' || rest[0] == 'G')) {
    scale = rest[0] == 'k' ? 1e3 : rest[0] == 'M' ? 1e6 : 1e9;
    rest.erase(0, 1);
  }
  if (rest == "/s" || rest == "/m" || rest == "/h") {
    if (unit != "rate") {
      error = expected;
      return false;
    }
    out = v * scale / (rest == "/s" ? 1 : rest == "/m" ? 60 : 3600);
    return true;
  }
  if (!rest.empty()) {
    error = expected;
    return false;
  }
  if (unit == "ratio" && (v < 0 || v > 1)) {
    error = expected + " (a bare ratio is from 0 to 1)";
    return false;
  }
  out = v * scale;
  return true;
}

std::vector<SinkConfig> AlertsConfig::default_alert_sinks() {
  SinkConfig log;
  log.name = "log";
  log.type = SinkType::kLog;
  return {log};
}

namespace {

// A default threshold rule: held 2m (5m host-wide), 10m cooldown.
RuleConfig default_threshold(std::string name, RuleSource source, double value, std::string summary) {
  RuleConfig r;
  r.name = std::move(name);
  ThresholdRule& t = r.spec.emplace<ThresholdRule>();
  t.source = std::move(source);
  t.value = value;
  r.for_duration = std::chrono::minutes(2);
  r.cooldown = std::chrono::minutes(10);
  r.annotations = {{"summary", std::move(summary)}};
  return r;
}

void with_clear(RuleConfig& r, double clear) {
  auto& t = std::get<ThresholdRule>(r.spec);
  t.has_clear = true;
  t.clear = clear;
}

}  // namespace

std::vector<RuleConfig> AlertsConfig::default_alert_rules() {
  std::vector<RuleConfig> rules;
  rules.push_back(default_threshold(
      "FileSyscallLatencyHigh",
      {"", "kscope_syscall_latency_seconds",
       {{"syscall", "=~openat|fsync|fdatasync|statx|newfstat|newfstatat|unlinkat|renameat2|mkdirat"}}, "p99"},
      0.1, "p99 of file syscalls of {target} is {value} (threshold {threshold})"));
  with_clear(rules.back(), 0.05);
  rules.push_back(default_threshold("RunQueueLatencyHigh", {"saturation.runqueue_p99", "", {}, ""}, 0.05,
                                    "{target} waits {value} to run (p99), threshold {threshold}"));
  with_clear(rules.back(), 0.02);
  rules.push_back(default_threshold("SyscallErrorRateHigh",
                                    {"", "kscope_syscall_errors_total",
                                     {{"errno", "!~EAGAIN|EINTR|EINPROGRESS|ETIMEDOUT|E5[0-9][0-9]"}}, "rate"},
                                    100, "{target} fails {value} syscalls per second"));
  rules.push_back(default_threshold("TcpRetransmitsHigh", {"errors.tcp_retransmits_per_second", "", {}, ""}, 10,
                                    "TCP retransmits at {value}/s on this host"));
  rules.back().scope = RuleScope::kHost;
  rules.back().for_duration = std::chrono::minutes(5);
  // Requests each service answered (probes.l7; absent while it is off, so
  // these stay silent): failures and slowness as its clients see them.
  rules.push_back(default_threshold("RequestErrorRatioHigh", {"errors.request_error_ratio", "", {}, ""}, 0.05,
                                    "{value} of the requests {target} served failed (threshold {threshold})"));
  rules.back().for_duration = std::chrono::minutes(5);
  with_clear(rules.back(), 0.02);
  rules.push_back(default_threshold("RequestLatencyHigh", {"latency.request.p99", "", {}, ""}, 1.0,
                                    "p99 of the requests {target} served is {value} (threshold {threshold})"));
  rules.back().for_duration = std::chrono::minutes(5);
  with_clear(rules.back(), 0.5);
  // Kills and crashes are events: any one fires at once (the counter's rate
  // over an interval is above 0 only in the interval it happened), and the
  // cooldown keeps a crash loop to one notification per 10 minutes.
  rules.push_back(default_threshold("OomKill", {"", "kscope_oom_kills_total", {}, "rate"}, 0,
                                    "the OOM killer killed {target}"));
  rules.back().for_duration = Nanos(0);
  rules.push_back(default_threshold(
      "ProcessCrashed",
      {"", "kscope_process_signal_exits_total", {{"signal", "=~SIGSEGV|SIGABRT|SIGBUS|SIGFPE|SIGILL|SIGSYS|SIGTRAP"}},
       "rate"},
      0, "{target} died of a crash signal (SIGSEGV, SIGABRT, ...)"));
  rules.back().for_duration = Nanos(0);
  // What the host runs out of.
  rules.push_back(default_threshold("MemoryPressureHigh", {"saturation.memory_pressure", "", {}, ""}, 0.1,
                                    "tasks stalled on memory {value} of the time on this host (threshold {threshold})"));
  rules.back().scope = RuleScope::kHost;
  rules.back().for_duration = std::chrono::minutes(5);
  with_clear(rules.back(), 0.05);
  RuleSource disk{"", "kscope_block_io_latency_seconds", {{"op", "=~read|write"}}, "p99", "device", {}};
  rules.push_back(default_threshold("DiskLatencyHigh", disk, 0.1,
                                    "p99 of reads and writes on {target} is {value} (threshold {threshold})"));
  rules.back().for_duration = std::chrono::minutes(5);
  with_clear(rules.back(), 0.05);
  // Read-only images (squashfs snaps, ISO, EROFS) are full by design.
  const StringPairs writable = {{"fstype", "!~squashfs|iso9660|erofs"}};
  RuleSource filesystem{"", "node_filesystem_avail_bytes", writable, "sum", "mountpoint",
                        {"node_filesystem_size_bytes", writable, "sum"}};
  rules.push_back(default_threshold("FilesystemAlmostFull", filesystem, 0.1,
                                    "{target} has {value} of its space left (threshold {threshold})"));
  std::get<ThresholdRule>(rules.back().spec).op = Comparison::kBelow;
  rules.back().for_duration = std::chrono::minutes(5);
  with_clear(rules.back(), 0.12);
  RuleSource throttled{"", "kscope_cgroup_cpu_throttled_periods_total", {}, "rate", "cgroup",
                       {"kscope_cgroup_cpu_periods_total", {}, "rate"}};
  rules.push_back(default_threshold("CpuThrottlingHigh", throttled, 0.25,
                                    "{target} was throttled in {value} of its CPU periods (threshold {threshold})"));
  rules.back().for_duration = std::chrono::minutes(10);
  with_clear(rules.back(), 0.1);
  return rules;
}

void read_alerts_config(YamlSection a, AlertsConfig& out) {
  a.read("enabled", out.enabled);
  a.read("external_url", out.external_url);
  if (!out.external_url.empty() && !out.external_url.starts_with("http://") &&
      !out.external_url.starts_with("https://")) {
    a.error("external_url", "expected an http:// or https:// URL, got '" + out.external_url + "'");
  }
  a.read("resend_interval", out.resend_interval);
  if (out.resend_interval < std::chrono::seconds(1)) a.error("resend_interval", "expected at least 1s");

  auto signals = a.section("signals");
  signals.read_strings("syscalls", out.signal_syscalls);
  signals.read("include_idle_waits", out.signal_include_idle_waits);
  signals.finish();

  auto capture = a.section("capture");
  capture.read("dir", out.capture.dir);
  capture.read("max_count", out.capture.max_count, 1, 10000);
  capture.read("max_bytes", out.capture.max_bytes, 1 << 20, UINT64_MAX);
  if (out.capture.dir.empty()) capture.error("dir", "expected a directory for captured flame graphs");
  capture.finish();

  if (a.has("sinks")) {
    out.sinks.clear();
    std::set<std::string> names;
    a.each("sinks", [&](YamlSection& s) {
      SinkConfig sink;
      read_sink(s, sink, names);
      out.sinks.push_back(sink);
    });
  } else {
    a.each("sinks", [](YamlSection&) {});
  }
  a.read("state_dir", out.state_dir);
  read_notify_config(a, out);
  if (a.has("rules")) {
    out.rules.clear();
    std::set<std::string> names;
    a.each("rules", [&](YamlSection& r) {
      RuleConfig rule;
      read_rule(r, rule, names);
      out.rules.push_back(rule);
    });
  } else {
    a.each("rules", [](YamlSection&) {});
  }
  a.finish();
}

}  // namespace kscope
