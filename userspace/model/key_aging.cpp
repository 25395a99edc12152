#include "model/key_aging.h"

namespace kscope {

bool KeyAging::idle(std::string_view key_bytes, uint64_t activity, Clock::time_point now) {
  auto [it, inserted] = keys_.try_emplace(std::string(key_bytes));
  Entry& e = it->second;
  e.round = round_;
  if (inserted || e.activity != activity) {
    e.activity = activity;
    e.changed = now;
    return false;
  }
  if (ttl_.count() > 0 && now - e.changed > ttl_) {
    keys_.erase(it);
    return true;
  }
  return false;
}

void KeyAging::end_round() {
  for (auto it = keys_.begin(); it != keys_.end();) {
    it = it->second.round == round_ ? std::next(it) : keys_.erase(it);
  }
  ++round_;
}

}  // namespace kscope
