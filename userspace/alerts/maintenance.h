// The weekly maintenance windows of the config (alerts.maintenance), each
// in its own IANA time zone: which of them hold an alert's labels at a
// given instant. Built once per config; const and thread-safe after.
#pragma once

#include <string>
#include <vector>

#include "alerts/alert.h"
#include "common/result.h"
#include "common/time_zone.h"
#include "config/notify_config.h"
#include "query/label_matcher.h"

namespace kscope {

class MaintenanceSchedule {
 public:
  static Result<MaintenanceSchedule> create(const std::vector<MaintenanceConfig>& windows);

  // Names of the windows open at t whose matchers all hold for labels.
  std::vector<std::string> active(const std::vector<std::pair<std::string, std::string>>& labels, WallTime t) const;

  // Whether window w is open at t, ignoring matchers (tests, the API).
  static bool open_at(const MaintenanceConfig& w, const TimeZone& zone, WallTime t);

 private:
  struct Window {
    MaintenanceConfig config;
    TimeZone zone;
    std::vector<LabelMatcher> matchers;
  };
  std::vector<Window> windows_;
};

}  // namespace kscope
