// The series of one duration family, keyed by their labels and capped the
// same way for every protocol the request engines follow: past max_series
// series, a new combination is recorded with its open-ended labels (route,
// collection, server address and port) set to "_OTHER"; past twice that,
// with every label "_OTHER" (the breakdown label "other"). So a family
// never exceeds 2 * max_series + 1 series, and no observation is lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"

namespace kscope::requests {

class CappedSeries {
 public:
  // open_labels: the labels folded first; breakdown_label: "comm",
  // "cgroup", ... or "".
  CappedSeries(size_t max_series, std::vector<std::string> open_labels, std::string breakdown_label);

  void record_ns(Labels labels, uint64_t duration_ns);

  // The series with data, sorted by labels.
  void append_to(Family& family) const;

  size_t size() const { return table_.size(); }

 private:
  size_t max_series_;
  std::vector<std::string> open_labels_;
  std::string breakdown_label_;
  std::unordered_map<std::string, Series> table_;
};

// The family called `name` in `out`, added (empty) when not there yet:
// engines of several protocols add their series to the same families.
Family& family_in(std::vector<Family>& out, const std::string& name, const std::string& help, MetricType type);

// The breakdown cap (collect/cardinality.h) on the histogram families of
// out[first..]: no-op when label is "" or max_values is 0.
void fold_histogram_breakdowns(std::vector<Family>& out, size_t first, const std::string& label, size_t max_values);

}  // namespace kscope::requests
