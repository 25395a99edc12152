#include "alerts/alert_json.h"

#include "alerts/alert_engine.h"
#include "alerts/payloads.h"
#include "common/escape.h"

namespace kscope {
namespace {

nlohmann::json pairs_json(const std::vector<std::pair<std::string, std::string>>& p) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : p) j[sanitize_utf8(k)] = sanitize_utf8(v);
  return j;
}

nlohmann::json time_or_null(WallTime t) { return t == WallTime{} ? nlohmann::json(nullptr) : nlohmann::json(rfc3339(t)); }

}  // namespace

WallTime alert_since(const Alert& a) {
  switch (a.state) {
    case AlertState::kFiring: return a.fired_at;
    case AlertState::kResolved: return a.resolved_at;
    default: return a.active_at;
  }
}

nlohmann::json alert_json(const Alert& a) {
  return {{"rule", a.rule},
          {"severity", to_string(a.severity)},
          {"state", alert_state_name(a.state)},
          {"target", a.target.empty() ? nlohmann::json(nullptr) : nlohmann::json(sanitize_utf8(a.target))},
          {"kernel", a.kernel},
          {"value", a.value},
          {"threshold", a.threshold},
          {"unit", a.unit},
          {"value_text", format_rule_value(a.value, a.unit)},
          {"threshold_text", format_rule_value(a.threshold, a.unit)},
          {"since", time_or_null(alert_since(a))},
          {"labels", pairs_json(a.labels)},
          {"annotations", pairs_json(a.annotations)},
          {"activeAt", rfc3339(a.active_at)},
          {"firedAt", time_or_null(a.fired_at)},
          {"resolvedAt", time_or_null(a.resolved_at)},
          {"fingerprint", fmt_fingerprint(a.fingerprint)},
          {"generatorURL", a.generator_url}};
}

}  // namespace kscope
