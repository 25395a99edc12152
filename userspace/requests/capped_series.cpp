#include "requests/capped_series.h"

#include <algorithm>
#include <utility>

#include "model/cardinality.h"

namespace kscope::requests {
namespace {

// An unambiguous key: each value with its length in front.
std::string key_of(const Labels& labels) {
  std::string key;
  for (const auto& [name, value] : labels) {
    key += std::to_string(value.size());
    key += ':';
    key += value;
  }
  return key;
}

}  // namespace

CappedSeries::CappedSeries(size_t max_series, std::vector<std::string> open_labels, std::string breakdown_label)
    : max_series_(std::max<size_t>(max_series, 1)),
      open_labels_(std::move(open_labels)),
      breakdown_label_(std::move(breakdown_label)) {}

void CappedSeries::record_ns(Labels labels, uint64_t duration_ns) {
  std::string key = key_of(labels);
  auto it = table_.find(key);
  if (it == table_.end() && table_.size() >= max_series_) {
    for (auto& [k, v] : labels) {
      if (std::find(open_labels_.begin(), open_labels_.end(), k) != open_labels_.end()) v = "_OTHER";
    }
    key = key_of(labels);
    it = table_.find(key);
  }
  if (it == table_.end() && table_.size() >= 2 * max_series_) {
    // Still new after folding the open-ended labels (many statuses or
    // breakdown values): one series takes the rest.
    for (auto& [k, v] : labels) v = k == breakdown_label_ ? "other" : "_OTHER";
    key = key_of(labels);
    it = table_.find(key);
  }
  if (it == table_.end()) {
    Series s;
    s.labels = std::move(labels);
    s.histogram.emplace();
    it = table_.emplace(std::move(key), std::move(s)).first;
  }
  it->second.histogram->record_ns(duration_ns);
}

void CappedSeries::append_to(Family& family) const {
  size_t first = family.series.size();
  for (const auto& [key, s] : table_) family.series.push_back(s);
  std::sort(family.series.begin() + static_cast<std::ptrdiff_t>(first), family.series.end(),
            [](const Series& a, const Series& b) { return a.labels < b.labels; });
}

Family& family_in(std::vector<Family>& out, const std::string& name, const std::string& help, MetricType type) {
  for (Family& f : out) {
    if (f.name == name) return f;
  }
  out.push_back({name, help, type, {}});
  return out.back();
}

void fold_histogram_breakdowns(std::vector<Family>& out, size_t first, const std::string& label, size_t max_values) {
  if (label.empty() || max_values == 0) return;
  for (size_t i = first; i < out.size(); ++i) {
    if (out[i].type == MetricType::kHistogram) fold_breakdown(out[i], label, max_values);
  }
}

}  // namespace kscope::requests
