// Parsing of the notification policy keys of `alerts:` (see notify_config.h).
#include <algorithm>
#include <cctype>
#include <set>

#include "common/time_zone.h"
#include "config/alerts_config.h"
#include "config/yaml_reader.h"
#include "query/label_matcher.h"

namespace kscope {
namespace {

const char* const kWeekdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

void check_matchers(YamlSection& s, const StringPairs& match) {
  for (const auto& [name, spec] : match) {
    bool ok = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
              std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    if (!ok) s.error("match", "label name '" + name + "' is not a Prometheus label name");
    auto m = LabelMatcher::parse_spec(name, spec);
    if (!m) s.error("match", "label " + name + ": " + m.error().message());
  }
}

void check_sinks(YamlSection& s, const std::string& key, const std::vector<std::string>& names, const AlertsConfig& c) {
  for (const auto& n : names) {
    bool known = std::any_of(c.sinks.begin(), c.sinks.end(), [&](const SinkConfig& sc) { return sc.name == n; });
    if (!known) {
      std::string all;
      for (const auto& sc : c.sinks) all += (all.empty() ? "" : ", ") + sc.name;
      s.error(key, "no sink named '" + n + "' (sinks: " + (all.empty() ? "none" : all) + ")");
    }
  }
}

void check_label_names(YamlSection& s, const std::string& key, const std::vector<std::string>& labels) {
  for (const auto& l : labels) {
    if (l == "..." && labels.size() == 1) continue;
    bool ok = !l.empty() && !std::isdigit(static_cast<unsigned char>(l[0])) &&
              std::all_of(l.begin(), l.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    if (!ok) s.error(key, "'" + l + "' is not a label name");
  }
}

void read_grouping(YamlSection& s, GroupingConfig& g) {
  s.read_strings("group_by", g.group_by);
  check_label_names(s, "group_by", g.group_by);
  s.read("group_wait", g.group_wait);
  s.read("group_interval", g.group_interval);
  s.read("repeat_interval", g.repeat_interval);
  if (g.repeat_interval.count() > 0 && g.repeat_interval < g.group_interval) {
    s.error("repeat_interval", "expected at least group_interval");
  }
}

void read_route(YamlSection& r, RouteConfig& out, const AlertsConfig& c) {
  r.read_map("match", out.match);
  check_matchers(r, out.match);
  if (r.has("min_severity")) {
    Severity min = Severity::kInfo;
    r.read_enum("min_severity", min, kSeverityNames);
    out.min_severity = min;
  }
  r.read_strings("sinks", out.sinks);
  check_sinks(r, "sinks", out.sinks, c);
  r.read("continue", out.continue_matching);
  if (r.has("group_by")) {
    std::vector<std::string> g;
    r.read_strings("group_by", g);
    check_label_names(r, "group_by", g);
    out.group_by = g;
  }
  for (auto [key, field] : {std::pair{"group_wait", &out.group_wait}, std::pair{"group_interval", &out.group_interval},
                            std::pair{"repeat_interval", &out.repeat_interval}}) {
    if (!r.has(key)) continue;
    Nanos v{0};
    r.read(key, v);
    *field = v;
  }
  r.read("escalate_after", out.escalate_after);
  r.read_strings("escalate_to", out.escalate_to);
  check_sinks(r, "escalate_to", out.escalate_to, c);
  if (out.escalate_after.count() > 0 && out.escalate_to.empty()) {
    r.error("escalate_to", "escalate_after needs the sinks to escalate to");
  }
  if (!out.escalate_to.empty() && out.escalate_after.count() <= 0) {
    r.error("escalate_after", "expected a positive duration like 15m before escalating");
  }
  r.finish();
}

// "HH:MM" -> minutes; "24:00" allowed as an end.
bool parse_clock(const std::string& s, int& out) {
  if (s.size() != 5 || s[2] != ':' || !std::isdigit(static_cast<unsigned char>(s[0])) ||
      !std::isdigit(static_cast<unsigned char>(s[1])) || !std::isdigit(static_cast<unsigned char>(s[3])) ||
      !std::isdigit(static_cast<unsigned char>(s[4]))) {
    return false;
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return false;
  out = h * 60 + m;
  return true;
}

void read_maintenance(YamlSection& w, MaintenanceConfig& out, std::set<std::string>& names) {
  w.read("name", out.name);
  if (out.name.empty()) w.error("name", "every maintenance window needs a name (silencedBy shows it)");
  else if (!names.insert(out.name).second) w.error("name", "duplicate maintenance window '" + out.name + "'");
  w.read_map("match", out.match);
  check_matchers(w, out.match);
  std::vector<std::string> days;
  w.read_strings("weekdays", days);
  for (auto d : days) {
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return std::tolower(c); });
    auto it = std::find_if(std::begin(kWeekdays), std::end(kWeekdays), [&](const char* k) { return d.starts_with(k); });
    if (it == std::end(kWeekdays) || d.size() > 9) {
      w.error("weekdays", "expected weekday names like mon, tue, ... sun, got '" + d + "'");
      continue;
    }
    out.weekdays.push_back(static_cast<int>(it - std::begin(kWeekdays)));
  }
  if (days.empty()) out.weekdays = {0, 1, 2, 3, 4, 5, 6};
  std::string start, end;
  w.read("start", start);
  w.read("end", end);
  if (!parse_clock(start, out.start_minute) || out.start_minute == 24 * 60) {
    w.error("start", "expected a local time like \"01:00\", got '" + start + "'");
  }
  if (!parse_clock(end, out.end_minute)) w.error("end", "expected a local time like \"03:00\", got '" + end + "'");
  w.read("time_zone", out.time_zone);
  if (auto z = TimeZone::load(out.time_zone); !z) w.error("time_zone", z.error().to_string());
  w.finish();
}

}  // namespace

void read_notify_config(YamlSection& a, AlertsConfig& out) {
  auto n = a.section("notify");
  read_grouping(n, out.notify.grouping);
  n.each("rate_limits", [&](YamlSection& s) {
    RateLimitConfig rl;
    s.read("sink", rl.sink);
    check_sinks(s, "sink", {rl.sink}, out);
    s.read("messages", rl.messages, 1, 100000);
    s.read("period", rl.period);
    if (rl.period.count() <= 0) s.error("period", "expected a positive duration like 1m");
    s.finish();
    out.notify.rate_limits.push_back(rl);
  });
  auto f = n.section("flapping");
  f.read("transitions", out.notify.flapping.transitions, 0, 1000);
  f.read("window", out.notify.flapping.window);
  if (out.notify.flapping.transitions > 0 && out.notify.flapping.window.count() <= 0) {
    f.error("window", "expected a positive duration like 10m");
  }
  f.finish();
  n.finish();
  a.each("routes", [&](YamlSection& r) {
    RouteConfig route;
    read_route(r, route, out);
    out.routes.push_back(route);
  });
  std::set<std::string> names;
  a.each("maintenance", [&](YamlSection& w) {
    MaintenanceConfig m;
    read_maintenance(w, m, names);
    out.maintenance.push_back(m);
  });
}

}  // namespace kscope
