#include "api/alert_answer.h"

#include "api/json_read.h"

namespace kscope {
namespace {

nlohmann::json string_or_null(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

}  // namespace

void to_json(nlohmann::json& j, const AlertAnswer& a) {
  j = {{"rule", a.rule},
       {"severity", a.severity},
       {"state", a.state},
       {"target", string_or_null(a.target)},
       {"kernel", a.kernel},
       {"value", json_finite(a.value)},
       {"threshold", json_finite(a.threshold)},
       {"unit", a.unit},
       {"value_text", a.value_text},
       {"threshold_text", a.threshold_text},
       {"since", string_or_null(a.since)},
       {"labels", a.labels},
       {"annotations", a.annotations},
       {"activeAt", a.active_at},
       {"firedAt", string_or_null(a.fired_at)},
       {"resolvedAt", string_or_null(a.resolved_at)},
       {"fingerprint", a.fingerprint},
       {"generatorURL", a.generator_url}};
}

void from_json(const nlohmann::json& j, AlertAnswer& a) {
  a = {};
  if (!j.is_object()) return;
  a.rule = json_string(j, "rule");
  a.severity = json_string(j, "severity");
  a.state = json_string(j, "state");
  a.target = json_optional_string(j, "target");
  a.kernel = json_bool(j, "kernel");
  a.value = json_number(j, "value");
  a.threshold = json_number(j, "threshold");
  a.unit = json_string(j, "unit");
  a.value_text = json_string(j, "value_text");
  a.threshold_text = json_string(j, "threshold_text");
  a.since = json_optional_string(j, "since");
  a.labels = json_string_map(j, "labels");
  a.annotations = json_string_map(j, "annotations");
  a.active_at = json_string(j, "activeAt");
  a.fired_at = json_optional_string(j, "firedAt");
  a.resolved_at = json_optional_string(j, "resolvedAt");
  a.fingerprint = json_string(j, "fingerprint");
  a.generator_url = json_string(j, "generatorURL");
}

}  // namespace kscope
