#include "alerts/pagerduty_event.h"

#include <nlohmann/json.hpp>

#include "alerts/payloads.h"

namespace kscope {

std::string pagerduty_dedup_key(const Alert& a) {
  auto labels = a.labels;
  labels.insert(labels.begin(), {"\x01rule", a.rule});
  std::string rule;
  for (char c : a.rule) {
    if (rule.size() == 64) break;
    rule += (c >= 0x21 && c <= 0x7e) ? c : '_';
  }
  return "kscope-" + rule + "-" + fmt_fingerprint(label_fingerprint(labels));
}

std::string_view pagerduty_severity(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kCritical: return "error";
    case Severity::kEmergency: return "critical";
  }
  return "critical";
}

std::vector<std::string> pagerduty_events(const std::vector<Notification>& batch, const std::string& routing_key,
                                          const MessageLinks& links) {
  std::vector<std::string> out;
  for (const auto& n : batch) {
    if (n.kind == Notification::Kind::kRefresh) continue;
    nlohmann::json e = {{"routing_key", routing_key}, {"dedup_key", pagerduty_dedup_key(n.alert)}};
    if (n.kind == Notification::Kind::kResolved) {
      e["event_action"] = "resolve";
    } else {
      AlertFacts f = alert_facts(n);
      e["event_action"] = "trigger";
      std::vector<Notification> one = {n};
      std::string summary = f.summary.empty() ? batch_title(one, 1024) : f.severity + ": " + f.summary;
      nlohmann::json details = {{"rule", f.rule}, {"target", f.target}, {"value", f.value},
                                {"threshold", f.threshold}, {"since", f.since}};
      nlohmann::json labels = nlohmann::json::object();
      for (const auto& [k, v] : f.labels) labels[k] = v;
      details["labels"] = labels;
      if (!f.capture_url.empty()) details["capture"] = f.capture_url;
      e["payload"] = {{"summary", truncate_utf8(summary, 1024)},
                      {"source", f.host.empty() ? std::string("kscope") : f.host},
                      {"severity", pagerduty_severity(n.alert.severity)},
                      {"component", f.target},
                      {"group", f.host.empty() ? std::string("kscope") : f.host},
                      {"class", f.rule},
                      {"custom_details", details}};
      if (n.alert.fired_at != WallTime{}) e["payload"]["timestamp"] = rfc3339(n.alert.fired_at);
      e["client"] = "kscope";
      if (!links.dashboard.empty()) e["client_url"] = links.dashboard + "/";
      nlohmann::json hrefs = nlohmann::json::array();
      if (!f.alert_url.empty()) hrefs.push_back({{"href", f.alert_url}, {"text", "Alert in kscope"}});
      if (!f.flame_graph_url.empty()) hrefs.push_back({{"href", f.flame_graph_url}, {"text", "Flame graph (on-CPU)"}});
      if (!f.offcpu_url.empty()) hrefs.push_back({{"href", f.offcpu_url}, {"text", "Flame graph (off-CPU)"}});
      if (!hrefs.empty()) e["links"] = hrefs;
    }
    out.push_back(e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return out;
}

}  // namespace kscope
