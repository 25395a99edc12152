#include "alerts/alert.h"

namespace kscope {

std::string_view alert_state_name(AlertState s) {
  switch (s) {
    case AlertState::kInactive: return "inactive";
    case AlertState::kPending: return "pending";
    case AlertState::kFiring: return "firing";
    case AlertState::kResolved: return "resolved";
  }
  return "?";
}

std::string_view notification_kind_name(Notification::Kind k) {
  switch (k) {
    case Notification::Kind::kFiring: return "firing";
    case Notification::Kind::kResolved: return "resolved";
    case Notification::Kind::kRefresh: return "refresh";
  }
  return "?";
}

uint64_t label_fingerprint(const std::vector<std::pair<std::string, std::string>>& labels) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // separator no label text can forge (0xff is not UTF-8)
    h *= 1099511628211ull;
  };
  for (const auto& [k, v] : labels) {
    mix(k);
    mix(v);
  }
  return h;
}

}  // namespace kscope
