// What happens between the alert engine and the sinks (`alerts:` keys
// routes, notify, maintenance, state_dir): which sinks an alert goes to,
// how alerts are grouped into one message and how often messages repeat,
// per-sink rate limits, flapping, weekly maintenance windows. With none of
// it configured every alert goes alone and at once to every sink, as
// before these existed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/duration.h"
#include "config/severity.h"

namespace kscope {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

// How a route's alerts are gathered into messages (Alertmanager's terms).
struct GroupingConfig {
  // Labels whose values make a group, as in Alertmanager: ["..."] (the
  // default) is every label, so each alert is a group of its own; [] puts
  // all of a route's alerts in one group.
  std::vector<std::string> group_by = {"..."};
  Nanos group_wait{0};      // a new group waits this long for more alerts before its first message
  Nanos group_interval{0};  // then changes to the group go out at most this often
  Nanos repeat_interval{0};  // a group still firing is sent again after this; 0: never
  bool operator==(const GroupingConfig&) const = default;
};

struct RouteConfig {
  StringPairs match;             // label -> "value" | "!=value" | "=~regex" | "!~regex"
  std::optional<Severity> min_severity;  // none: any
  std::vector<std::string> sinks;  // by name; empty: every sink. An alert no route takes is not notified
  bool continue_matching = false;  // `continue: true`: later routes are tried too
  // Overrides of notify: for this route's groups.
  std::optional<std::vector<std::string>> group_by;
  std::optional<Nanos> group_wait, group_interval, repeat_interval;
  // An alert firing this long without an acknowledgement also goes to
  // escalate_to (once per episode). 0: no escalation.
  Nanos escalate_after{0};
  std::vector<std::string> escalate_to;
  bool operator==(const RouteConfig&) const = default;
};

struct RateLimitConfig {
  std::string sink;
  uint32_t messages = 0;  // at most this many deliveries ...
  Nanos period{0};        // ... per this period; the rest is held and sent in the next one
  bool operator==(const RateLimitConfig&) const = default;
};

struct FlappingConfig {
  uint32_t transitions = 0;  // more firing/resolved changes than this ...
  Nanos window = std::chrono::minutes(10);  // ... within this window: flapping. 0 transitions: off
  bool operator==(const FlappingConfig&) const = default;
};

struct NotifyConfig {
  GroupingConfig grouping;
  std::vector<RateLimitConfig> rate_limits;
  FlappingConfig flapping;
  bool operator==(const NotifyConfig&) const = default;
};

// A recurring quiet time: alerts matching `match` are not notified while
// the local time in time_zone is within [start, end) on one of the
// weekdays (an end at or before start runs past midnight into the next day).
struct MaintenanceConfig {
  std::string name;
  StringPairs match;
  std::vector<int> weekdays;  // 0 = Sunday ... 6 = Saturday
  int start_minute = 0;       // minutes after local midnight
  int end_minute = 0;
  std::string time_zone = "UTC";
  bool operator==(const MaintenanceConfig&) const = default;
};

}  // namespace kscope
