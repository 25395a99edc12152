#include "export/folded_family.h"

#include <set>

namespace kscope {

FoldedFamily::FoldedFamily(std::string name, std::string help, MetricType type)
    : shape_{std::move(name), std::move(help), type, {}} {}

void FoldedFamily::update(const std::vector<Member>& members) {
  const bool histograms = shape_.type == MetricType::kHistogram;
  std::map<Labels, Last> last;
  std::set<Labels> live;
  for (const auto& m : members) {
    if (histograms && !m.histogram) continue;
    auto prev = last_.find(*m.source);
    Series& total = totals_[m.exported];
    total.labels = m.exported;
    Last now;
    if (histograms) {
      if (!total.histogram) total.histogram.emplace();
      total.histogram->add(prev == last_.end() ? *m.histogram : m.histogram->delta_since(prev->second.histogram));
      now.histogram = *m.histogram;
    } else {
      total.value += prev == last_.end() ? m.value : counter_delta(m.value, prev->second.value);
      now.value = m.value;
    }
    live.insert(m.exported);
    last.insert_or_assign(*m.source, std::move(now));
  }
  for (auto it = totals_.begin(); it != totals_.end();) {
    it = live.count(it->first) ? std::next(it) : totals_.erase(it);
  }
  last_ = std::move(last);
}

Family FoldedFamily::family() const {
  Family f = shape_;
  f.series.reserve(totals_.size());
  for (const auto& [labels, s] : totals_) f.series.push_back(s);
  return f;
}

}  // namespace kscope
