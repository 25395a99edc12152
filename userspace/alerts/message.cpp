#include "alerts/message.h"

#include <algorithm>
#include <set>

#include "common/escape.h"
#include "common/time_format.h"

namespace kscope {
namespace {

std::string annotation(const Alert& a, std::string_view key) {
  for (const auto& [k, v] : a.annotations) {
    if (k == key) return v;
  }
  return "";
}

std::string label(const Alert& a, std::string_view key) {
  for (const auto& [k, v] : a.labels) {
    if (k == key) return v;
  }
  return "";
}

std::string fact(std::string_view text, size_t max = kMaxFactBytes) { return truncate_utf8(one_line(text), max); }

// Links come from kscope's own config and capture ids; still, only http(s)
// URLs without spaces are passed on, so no channel renders a javascript: link.
std::string link(std::string_view url) {
  std::string u = one_line(url);
  if (!u.starts_with("http://") && !u.starts_with("https://")) return "";
  if (u.find_first_of(" <>\"'|`") != std::string::npos || u.size() > 2048) return "";
  return u;
}

}  // namespace

std::string truncate_utf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  size_t keep = max_bytes >= 4 ? max_bytes - kEllipsis.size() : max_bytes;
  // Back off to the start of a character: continuation bytes are 10xxxxxx.
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  std::string out(text.substr(0, keep));
  if (max_bytes >= 4) out += kEllipsis;
  return out;
}

std::string one_line(std::string_view text) {
  std::string s = sanitize_utf8(text);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n' || c == '\t' || c == '\r') {
      out += ' ';
      continue;
    }
    // U+202A..U+202E are E2 80 AA..AE; U+2066..U+2069 are E2 81 A6..A9.
    if (c == '\xE2' && i + 2 < s.size()) {
      auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9)) {
        out += "\xEF\xBF\xBD";
        i += 2;
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::string markdown_escape(std::string_view text) {
  static constexpr std::string_view kSpecial = "\\*_~`|><[]()#-+!.:@";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string human_time(WallTime t) {
  if (t == WallTime{}) return "";
  return format_time(t, "%Y-%m-%d %H:%M:%S UTC");
}

AlertFacts alert_facts(const Notification& n) {
  const Alert& a = n.alert;
  AlertFacts f;
  f.resolved = n.kind == Notification::Kind::kResolved;
  f.status = f.resolved ? "RESOLVED" : "FIRING";
  f.level = a.severity;
  f.severity = to_string(a.severity);
  f.rule = fact(a.rule);
  f.target = fact(a.target.empty() ? std::string("host") : a.target);
  f.host = fact(label(a, "instance"));
  f.value = fact(annotation(a, "value"));
  f.threshold = fact(annotation(a, "threshold"));
  f.summary = fact(annotation(a, "summary"), kMaxSummaryBytes);
  f.since = human_time(a.fired_at);
  if (f.resolved) f.resolved_at = human_time(a.resolved_at);
  f.alert_url = link(a.generator_url);
  f.flame_graph_url = link(annotation(a, "capture_cpu"));
  f.offcpu_url = link(annotation(a, "capture_offcpu"));
  f.capture_url = link(annotation(a, "capture"));
  static const std::set<std::string_view> kShown = {"alertname", "severity", "instance", "source"};
  for (const auto& [k, v] : a.labels) {
    if (!kShown.count(k)) f.labels.emplace_back(fact(k), fact(v));
  }
  return f;
}

std::string batch_severity(const std::vector<Notification>& batch) {
  if (batch.empty()) return "";
  Severity best = batch.front().alert.severity;
  for (const auto& n : batch) best = std::max(best, n.alert.severity);
  return std::string(to_string(best));
}

BatchCounts batch_counts(const std::vector<Notification>& batch) {
  BatchCounts c;
  for (const auto& n : batch) (n.kind == Notification::Kind::kResolved ? c.resolved : c.firing)++;
  return c;
}

std::string batch_title(const std::vector<Notification>& batch, size_t max_bytes) {
  if (batch.empty()) return "";
  BatchCounts c = batch_counts(batch);
  std::string status;
  if (batch.size() == 1) status = c.firing ? "[FIRING]" : "[RESOLVED]";
  else if (c.resolved == 0) status = "[FIRING:" + std::to_string(c.firing) + "]";
  else if (c.firing == 0) status = "[RESOLVED:" + std::to_string(c.resolved) + "]";
  else status = "[FIRING:" + std::to_string(c.firing) + ", RESOLVED:" + std::to_string(c.resolved) + "]";
  // Rules, targets and hosts in first-seen order, each once.
  std::vector<std::string> rules, targets, hosts;
  auto add = [](std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
  };
  for (const auto& n : batch) {
    AlertFacts f = alert_facts(n);
    add(rules, f.rule);
    add(targets, f.target);
    if (!f.host.empty()) add(hosts, f.host);
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  std::string what;
  if (rules.size() == 1) what = rules[0] + " on " + join(targets);
  else what = std::to_string(batch.size()) + " alerts of " + join(rules);
  std::string where = hosts.size() == 1 ? " (" + hosts[0] + ")" : "";
  std::string head = status + " " + batch_severity(batch) + ": ";
  // The host goes at the end, kept when the list of targets is cut.
  if (head.size() + where.size() >= max_bytes) return truncate_utf8(head + what + where, max_bytes);
  return head + truncate_utf8(what, max_bytes - head.size() - where.size()) + where;
}

}  // namespace kscope
