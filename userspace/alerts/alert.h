// An alert: one rule applied to one target (a process, a cgroup, or the
// host), and the notifications sinks receive about it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/severity.h"

namespace kscope {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

enum class AlertState { kInactive, kPending, kFiring, kResolved };
std::string_view alert_state_name(AlertState s);

struct Alert {
  std::string rule;
  Severity severity = Severity::kWarning;
  std::string target;  // breakdown value, "" for the host-wide alert
  bool kernel = false;  // the target is a kernel thread (rules with kernel_threads: true)
  std::string unit;     // of value and threshold: rule_unit() ("duration", "ratio", "rate", ...)
  AlertState state = AlertState::kInactive;
  double value = 0;      // the last evaluated value
  double threshold = 0;  // what it was compared with
  WallTime active_at{};    // first breach of the current episode
  WallTime fired_at{};     // when it started firing (startsAt)
  WallTime resolved_at{};  // when it resolved (endsAt)
  // Sorted by name; include alertname, severity, the target label and the
  // rule's own labels. Values are raw text (escape per output format).
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> annotations;
  std::string generator_url;
  uint64_t fingerprint = 0;  // of the labels: the identity sinks dedupe on
};

struct Notification {
  enum class Kind { kFiring, kResolved, kRefresh };  // refresh: still firing (Alertmanager keep-alive)
  Kind kind = Kind::kFiring;
  Alert alert;
};
std::string_view notification_kind_name(Notification::Kind k);

// FNV-1a of the sorted labels.
uint64_t label_fingerprint(const std::vector<std::pair<std::string, std::string>>& labels);

}  // namespace kscope
