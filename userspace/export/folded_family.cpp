#include "export/folded_family.h"

#include <functional>
#include <string_view>


namespace kscope {
namespace {

uint64_t labels_hash(const Labels& labels) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  auto mix = [&h](std::string_view s) {
    h ^= std::hash<std::string_view>{}(s) + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  };
  for (const auto& [k, v] : labels) {
    mix(k);
    mix(v);
  }
  return h;
}

}  // namespace

FoldedFamily::FoldedFamily(std::string name, std::string help, MetricType type)
    : shape_{std::move(name), std::move(help), type, {}} {}

void FoldedFamily::update(const std::vector<Member>& members) {
  const bool histograms = shape_.type == MetricType::kHistogram;
  ++interval_;
  for (const auto& m : members) {
    if (histograms && !m.histogram) continue;
    auto [prev, added] = last_.try_emplace(labels_hash(*m.source));
    Last& last = prev->second;
    auto [t, new_total] = totals_.try_emplace(m.exported);
    Total& total = t->second;
    if (new_total) total.series.labels = m.exported;
    total.seen = interval_;
    // A source new since the previous interval counts from 0 (one that
    // missed an interval was erased at its end: it is new again).
    const bool known = !added;
    if (histograms) {
      if (!total.series.histogram) total.series.histogram.emplace();
      total.series.histogram->add(known && last.histogram ? m.histogram->delta_since(*last.histogram)
                                                          : *m.histogram);
      last.histogram = m.histogram;
    } else {
      total.series.value += known ? counter_delta(m.value, last.value) : m.value;
      last.value = m.value;
    }
    last.seen = interval_;
  }
  for (auto it = last_.begin(); it != last_.end();) {
    it = it->second.seen == interval_ ? std::next(it) : last_.erase(it);
  }
  std::erase_if(totals_, [&](const auto& kv) { return kv.second.seen != interval_; });
}

Family FoldedFamily::family() const {
  Family f = shape_;
  f.series.reserve(totals_.size());
  for (const auto& [labels, t] : totals_) f.series.push_back(t.series);
  return f;
}

}  // namespace kscope
