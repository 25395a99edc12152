#include "collect/histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kscope {

double hist_bucket_lower_ns(int i) {
  if (i <= 0) return 0;
  if (i >= KSCOPE_HIST_BUCKETS - 1) return std::ldexp(1.0, KSCOPE_HIST_MAX_SHIFT);
  int msb = KSCOPE_HIST_MIN_SHIFT + (i - 1) / KSCOPE_HIST_SUBS;
  int sub = (i - 1) % KSCOPE_HIST_SUBS;
  return std::ldexp(1.0, msb) + sub * std::ldexp(1.0, msb - KSCOPE_HIST_SUB_BITS);
}

double hist_bucket_upper_ns(int i) {
  if (i >= KSCOPE_HIST_BUCKETS - 1) return std::numeric_limits<double>::infinity();
  return hist_bucket_lower_ns(i + 1);
}

Histogram Histogram::from_kernel(const kscope_hist& h) {
  Histogram out;
  out.buckets.assign(h.buckets, h.buckets + KSCOPE_HIST_BUCKETS);
  out.sum_seconds = static_cast<double>(h.sum_ns) * 1e-9;
  return out;
}

uint64_t Histogram::count() const {
  uint64_t n = 0;
  for (uint64_t b : buckets) n += b;
  return n;
}

void Histogram::add(const Histogram& other) {
  for (size_t i = 0; i < buckets.size() && i < other.buckets.size(); ++i) buckets[i] += other.buckets[i];
  sum_seconds += other.sum_seconds;
}

void Histogram::record_ns(uint64_t ns) {
  buckets[kscope_hist_bucket(ns)] += 1;
  sum_seconds += static_cast<double>(ns) * 1e-9;
}

double Histogram::quantile_seconds(double q) const {
  uint64_t total = count();
  if (total == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  double rank = q * static_cast<double>(total);
  double seen = 0;
  for (int i = 0; i < KSCOPE_HIST_BUCKETS; ++i) {
    double n = static_cast<double>(buckets[i]);
    if (n == 0) continue;
    if (seen + n >= rank) {
      double lo = hist_bucket_lower_ns(i);
      double hi = hist_bucket_upper_ns(i);
      if (std::isinf(hi)) return lo * 1e-9;
      double frac = (rank - seen) / n;
      return (lo + (hi - lo) * frac) * 1e-9;
    }
    seen += n;
  }
  return hist_bucket_lower_ns(KSCOPE_HIST_BUCKETS - 1) * 1e-9;
}

double Histogram::count_below_ns(double limit_ns) const {
  double n = 0;
  for (int i = 0; i < KSCOPE_HIST_BUCKETS; ++i) {
    double lo = hist_bucket_lower_ns(i), hi = hist_bucket_upper_ns(i);
    if (hi <= limit_ns) {
      n += static_cast<double>(buckets[i]);
    } else if (lo < limit_ns && !std::isinf(hi)) {
      n += static_cast<double>(buckets[i]) * (limit_ns - lo) / (hi - lo);
    }
  }
  return n;
}

Histogram Histogram::delta_since(const Histogram& earlier) const {
  Histogram out;
  for (int i = 0; i < KSCOPE_HIST_BUCKETS; ++i) {
    if (buckets[i] < earlier.buckets[i]) return *this;  // reset
    out.buckets[i] = buckets[i] - earlier.buckets[i];
  }
  out.sum_seconds = std::max(0.0, sum_seconds - earlier.sum_seconds);
  return out;
}

std::vector<uint32_t> le_slot_per_bucket(const std::vector<double>& le_seconds) {
  std::vector<uint32_t> slots(KSCOPE_HIST_BUCKETS);
  for (int i = 0; i < KSCOPE_HIST_BUCKETS; ++i) {
    double upper_s = hist_bucket_upper_ns(i) * 1e-9;
    // Tolerance for boundaries that equal a bucket edge up to rounding.
    auto it = std::lower_bound(le_seconds.begin(), le_seconds.end(), upper_s * (1 - 1e-12));
    slots[static_cast<size_t>(i)] = static_cast<uint32_t>(it - le_seconds.begin());
  }
  return slots;
}

void cumulative_counts_into(const Histogram& h, const std::vector<uint32_t>& slots, std::vector<uint64_t>& out) {
  const size_t n = out.size();
  std::fill(out.begin(), out.end(), 0);
  for (int i = 0; i < KSCOPE_HIST_BUCKETS; ++i) {
    uint64_t c = h.buckets[static_cast<size_t>(i)];
    if (c == 0) continue;
    uint32_t slot = slots[static_cast<size_t>(i)];
    if (slot < n) out[slot] += c;
  }
  uint64_t running = 0;
  for (auto& c : out) {
    running += c;
    c = running;
  }
}

std::vector<uint64_t> cumulative_counts(const Histogram& h, const std::vector<double>& le_seconds) {
  std::vector<uint64_t> out(le_seconds.size(), 0);
  cumulative_counts_into(h, le_slot_per_bucket(le_seconds), out);
  return out;
}

const std::vector<double>& default_le_seconds() {
  static const std::vector<double> le = {10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3,
                                         2.5e-3, 5e-3,  10e-3, 25e-3,  50e-3,  100e-3, 250e-3,
                                         500e-3, 1,     2.5,   5,     10};
  return le;
}

}  // namespace kscope
