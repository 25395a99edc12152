#include "collect/series_aging.h"

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
  std::unordered_set<std::string> idle;
  for (const auto& [key, a] : activity) {
    if (aging_.idle(key, a, now)) idle.insert(key);
  }
  aging_.end_round();
  if (idle.empty()) return;
  std::erase_if(family.series, [&](const Series& s) { return idle.count(key_of(s.labels)) > 0; });
}

}  // namespace kscope
