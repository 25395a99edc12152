#include "alerts/alert_json.h"

#include "alerts/alert_engine.h"
#include "alerts/payloads.h"
#include "common/escape.h"

namespace kscope {
namespace {

std::map<std::string, std::string> sanitized(const std::vector<std::pair<std::string, std::string>>& p) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : p) out[sanitize_utf8(k)] = sanitize_utf8(v);
  return out;
}

std::optional<std::string> time_or_null(WallTime t) {
  return t == WallTime{} ? std::nullopt : std::optional<std::string>(rfc3339(t));
}

}  // namespace

WallTime alert_since(const Alert& a) {
  switch (a.state) {
    case AlertState::kFiring: return a.fired_at;
    case AlertState::kResolved: return a.resolved_at;
    default: return a.active_at;
  }
}

AlertAnswer alert_answer(const Alert& a) {
  AlertAnswer out;
  out.rule = a.rule;
  out.severity = to_string(a.severity);
  out.state = alert_state_name(a.state);
  if (!a.target.empty()) out.target = sanitize_utf8(a.target);
  out.kernel = a.kernel;
  out.value = a.value;
  out.threshold = a.threshold;
  out.unit = a.unit;
  out.value_text = format_rule_value(a.value, a.unit);
  out.threshold_text = format_rule_value(a.threshold, a.unit);
  out.since = time_or_null(alert_since(a));
  out.labels = sanitized(a.labels);
  out.annotations = sanitized(a.annotations);
  out.active_at = rfc3339(a.active_at);
  out.fired_at = time_or_null(a.fired_at);
  out.resolved_at = time_or_null(a.resolved_at);
  out.fingerprint = fmt_fingerprint(a.fingerprint);
  out.generator_url = a.generator_url;
  return out;
}

nlohmann::json alert_json(const Alert& a) { return alert_answer(a); }

}  // namespace kscope
