#include "export/native_histogram.h"

#include <array>
#include <cmath>
#include <map>

namespace kscope {
namespace {

constexpr double kPerOctave = 1 << kNativeSchema;

std::array<int32_t, KSCOPE_HIST_BUCKETS> index_table() {
  std::array<int32_t, KSCOPE_HIST_BUCKETS> t{};
  for (int i = 1; i < KSCOPE_HIST_BUCKETS - 1; ++i) {
    t[static_cast<size_t>(i)] =
        static_cast<int32_t>(std::ceil(kPerOctave * std::log2(hist_bucket_upper_ns(i) * 1e-9)));
  }
  // Unbounded: the native bucket after the one holding its lower bound
  // (17.2 s, the previous fine bucket's upper bound).
  const size_t last = KSCOPE_HIST_BUCKETS - 1;
  t[last] = t[last - 1] + 1;
  return t;
}

}  // namespace

int32_t native_index_of_fine_bucket(int i) {
  static const auto table = index_table();
  return table[static_cast<size_t>(i)];
}

double native_upper_seconds(int32_t index) { return std::exp2(index / kPerOctave); }

NativeHistogram to_native(const Histogram& h) {
  NativeHistogram out;
  out.zero_threshold = hist_bucket_upper_ns(0) * 1e-9;
  out.zero_count = h.bucket(0);
  // Indices rise with i (one native bucket per fine one), so this walk is in
  // index order; the map guards that assumption rather than relying on it.
  std::map<int32_t, uint64_t> counts;
  for (int i = std::max(1, h.begin_bucket()); i < h.end_bucket(); ++i) {
    if (uint64_t n = h.bucket(i)) counts[native_index_of_fine_bucket(i)] += n;
  }
  int64_t prev_count = 0;
  int32_t prev_index = 0;
  bool first = true;
  for (const auto& [index, n] : counts) {
    if (first || index != prev_index + 1) {
      out.spans.emplace_back(first ? index : index - prev_index - 1, 0);
    }
    ++out.spans.back().second;
    out.deltas.push_back(static_cast<int64_t>(n) - prev_count);
    prev_count = static_cast<int64_t>(n);
    prev_index = index;
    first = false;
  }
  return out;
}

}  // namespace kscope
