#include "export/folded_family.h"


namespace kscope {

FoldedFamily::FoldedFamily(std::string name, std::string help, MetricType type)
    : shape_{std::move(name), std::move(help), type, {}} {}

void FoldedFamily::update(const std::vector<Member>& members) {
  const bool histograms = shape_.type == MetricType::kHistogram;
  ++interval_;
  for (const auto& m : members) {
    if (histograms && !m.histogram) continue;
    auto [prev, added] = last_.try_emplace(*m.source);
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
      total.series.histogram->add(known ? m.histogram->delta_since(last.histogram) : *m.histogram);
      last.histogram = *m.histogram;
    } else {
      total.series.value += known ? counter_delta(m.value, last.value) : m.value;
      last.value = m.value;
    }
    last.seen = interval_;
  }
  std::erase_if(last_, [&](const auto& kv) { return kv.second.seen != interval_; });
  std::erase_if(totals_, [&](const auto& kv) { return kv.second.seen != interval_; });
}

Family FoldedFamily::family() const {
  Family f = shape_;
  f.series.reserve(totals_.size());
  for (const auto& [labels, t] : totals_) f.series.push_back(t.series);
  return f;
}

}  // namespace kscope
