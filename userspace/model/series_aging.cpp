#include "model/series_aging.h"

#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace kscope {
namespace {

std::string key_of(const Labels& labels) {
  std::string key;
  for (const auto& [k, v] : labels) {
    key += k;
    key += '\0';
    key += v;
    key += '\0';
  }
  return key;
}

}  // namespace

void SeriesAging::drop_idle(Family& family, KeyAging::Clock::time_point now) {
  // Several kernel keys can carry the same labels (before folding): their
  // activity is summed so the key does not look busy just by alternating.
  std::unordered_map<std::string, uint64_t> activity;
  for (const Series& s : family.series) {
    uint64_t a = 0;
    if (s.histogram) {
      a = s.histogram->count();
    } else {
      std::memcpy(&a, &s.value, sizeof(a));
    }
    activity[key_of(s.labels)] += a;
  }
  // KeyAging forgets a key once it reports it idle (its callers delete the
  // kernel entry); here the entry stays, so remember it until it moves.
  std::unordered_set<std::string> idle;
  std::unordered_map<std::string, uint64_t> still_expired;
  for (const auto& [key, a] : activity) {
    auto e = expired_.find(key);
    if (e != expired_.end() && e->second == a) {
      idle.insert(key);
      still_expired.emplace(key, a);
    } else if (aging_.idle(key, a, now)) {
      idle.insert(key);
      still_expired.emplace(key, a);
    }
  }
  expired_ = std::move(still_expired);
  aging_.end_round();
  if (idle.empty()) return;
  std::erase_if(family.series, [&](const Series& s) { return idle.count(key_of(s.labels)) > 0; });
}

}  // namespace kscope
