#include "alerts/maintenance.h"

#include <algorithm>

namespace kscope {

Result<MaintenanceSchedule> MaintenanceSchedule::create(const std::vector<MaintenanceConfig>& windows) {
  MaintenanceSchedule s;
  for (const auto& w : windows) {
    auto zone = TimeZone::load(w.time_zone);
    if (!zone) return zone.error().with_context("maintenance window " + w.name);
    Window win{w, std::move(*zone), {}};
    for (const auto& [name, spec] : w.match) {
      auto m = LabelMatcher::parse_spec(name, spec);
      if (!m) return m.error().with_context("maintenance window " + w.name);
      win.matchers.push_back(std::move(*m));
    }
    s.windows_.push_back(std::move(win));
  }
  return s;
}

bool MaintenanceSchedule::open_at(const MaintenanceConfig& w, const TimeZone& zone, WallTime t) {
  int64_t utc = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  int64_t local = utc + zone.offset_at(utc);
  int64_t days = local / 86400 - (local % 86400 < 0 ? 1 : 0);
  int weekday = static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  int minute = static_cast<int>((local - days * 86400) / 60);
  auto listed = [&](int d) { return std::find(w.weekdays.begin(), w.weekdays.end(), d) != w.weekdays.end(); };
  if (w.start_minute < w.end_minute) return listed(weekday) && minute >= w.start_minute && minute < w.end_minute;
  // Past midnight: from start on a listed day to end on the day after.
  return (listed(weekday) && minute >= w.start_minute) || (listed((weekday + 6) % 7) && minute < w.end_minute);
}

std::vector<std::string> MaintenanceSchedule::active(const std::vector<std::pair<std::string, std::string>>& labels,
                                                     WallTime t) const {
  std::vector<std::string> out;
  for (const auto& w : windows_) {
    bool all = std::all_of(w.matchers.begin(), w.matchers.end(), [&](const LabelMatcher& m) {
      std::string_view v;
      for (const auto& [k, val] : labels) {
        if (k == m.name()) v = val;
      }
      return m.matches_value(v);
    });
    if (all && open_at(w.config, w.zone, t)) out.push_back(w.config.name);
  }
  return out;
}

}  // namespace kscope
