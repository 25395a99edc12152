#include "model/cardinality.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace kscope {
namespace {

double activity(const Series& s) {
  return s.histogram ? static_cast<double>(s.histogram->count()) : s.value;
}

void merge_into(Series& into, const Series& from) {
  into.value += from.value;
  if (from.histogram) {
    if (!into.histogram) into.histogram.emplace();
    into.histogram->add(*from.histogram);
  }
}

}  // namespace

void fold_breakdown(Family& family, const std::string& label, size_t max_values) {
  std::unordered_map<std::string, double> totals;
  if (!label.empty()) {
    for (const auto& s : family.series) {
      if (const auto* v = s.label(label)) totals[*v] += activity(s);
    }
  }
  bool fold = max_values > 0 && totals.size() > max_values;

  std::vector<std::pair<std::string, double>> ranked(totals.begin(), totals.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  // One slot is "other".
  std::unordered_set<std::string> keep;
  for (size_t i = 0; i < ranked.size() && (!fold || keep.size() + 1 < max_values); ++i) {
    if (ranked[i].first != "other") keep.insert(ranked[i].first);
  }

  std::map<Labels, Series> merged;
  std::vector<Labels> order;
  for (auto& s : family.series) {
    for (auto& [k, v] : s.labels) {
      if (fold && k == label && !keep.count(v)) v = "other";
    }
    auto it = merged.find(s.labels);
    if (it == merged.end()) {
      order.push_back(s.labels);
      merged.emplace(s.labels, std::move(s));
    } else {
      merge_into(it->second, s);
    }
  }
  family.series.clear();
  for (const auto& l : order) family.series.push_back(std::move(merged[l]));
}

}  // namespace kscope
