#include "alerts/payloads.h"

#include <nlohmann/json.hpp>

#include "common/escape.h"
#include "signals/signals.h"

namespace kscope {
namespace {

nlohmann::json string_map(const std::vector<std::pair<std::string, std::string>>& pairs) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : pairs) j[sanitize_utf8(k)] = sanitize_utf8(v);
  return j;
}

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string annotation(const Alert& a, const std::string& key) {
  for (const auto& [k, v] : a.annotations) {
    if (k == key) return v;
  }
  return "";
}

bool resolved(const Notification& n) { return n.kind == Notification::Kind::kResolved; }

std::string slack_escape(std::string_view s) {
  std::string out;
  for (char c : sanitize_utf8(s)) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

}  // namespace

std::string rfc3339(WallTime t) {
  if (t == WallTime{}) return "0001-01-01T00:00:00Z";
  return format_time_utc(t);
}

std::string alertmanager_payload(const std::vector<Notification>& batch, WallTime now, Nanos resend_interval) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& n : batch) {
    const Alert& a = n.alert;
    WallTime ends = resolved(n) ? a.resolved_at
                                : now + std::chrono::duration_cast<WallTime::duration>(4 * resend_interval);
    arr.push_back({{"labels", string_map(a.labels)},
                   {"annotations", string_map(a.annotations)},
                   {"startsAt", rfc3339(a.fired_at)},
                   {"endsAt", rfc3339(ends)},
                   {"generatorURL", a.generator_url}});
  }
  return dump(arr);
}

std::string webhook_payload(const std::vector<Notification>& batch, const std::string& receiver) {
  nlohmann::json alerts = nlohmann::json::array();
  bool any_firing = false;
  for (const auto& n : batch) {
    const Alert& a = n.alert;
    any_firing = any_firing || !resolved(n);
    alerts.push_back({{"status", resolved(n) ? "resolved" : "firing"},
                      {"labels", string_map(a.labels)},
                      {"annotations", string_map(a.annotations)},
                      {"startsAt", rfc3339(a.fired_at)},
                      {"endsAt", resolved(n) ? rfc3339(a.resolved_at) : rfc3339(WallTime{})},
                      {"generatorURL", a.generator_url},
                      {"fingerprint", fmt_fingerprint(a.fingerprint)},
                      {"rule", a.rule},
                      {"severity", to_string(a.severity)},
                      {"target", sanitize_utf8(a.target)},
                      {"value", a.value},
                      {"threshold", a.threshold}});
  }
  nlohmann::json doc = {{"receiver", receiver},
                        {"status", any_firing ? "firing" : "resolved"},
                        {"source", "kscope"},
                        {"alerts", alerts}};
  return dump(doc);
}

std::string slack_payload(const std::vector<Notification>& batch) {
  std::string text;
  for (const auto& n : batch) {
    const Alert& a = n.alert;
    if (!text.empty()) text += "\n";
    text += resolved(n) ? "[RESOLVED] " : "[FIRING] ";
    text += slack_escape(a.rule) + " (" + std::string(to_string(a.severity)) + ") on " +
            slack_escape(a.target.empty() ? std::string("host") : a.target) + ": " +
            slack_escape(annotation(a, "summary"));
  }
  return dump({{"text", text}});
}

std::string log_line(const Notification& n) {
  const Alert& a = n.alert;
  return "alert=" + printable(a.rule) + " state=" + std::string(notification_kind_name(n.kind)) +
         " severity=" + std::string(to_string(a.severity)) + " target=" + (a.target.empty() ? std::string("host") : printable(a.target)) +
         " value=" + printable(annotation(a, "value")) + " summary=\"" + printable(annotation(a, "summary")) + "\"";
}

std::string fmt_fingerprint(uint64_t fp) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fp));
  return buf;
}

}  // namespace kscope
