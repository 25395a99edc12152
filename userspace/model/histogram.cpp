#include "model/histogram.h"

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
  int lo = 0, hi = KSCOPE_HIST_BUCKETS;
  while (lo < hi && h.buckets[lo] == 0) ++lo;
  while (hi > lo && h.buckets[hi - 1] == 0) --hi;
  out.first_ = lo;
  out.counts_.assign(h.buckets + lo, h.buckets + hi);
  out.sum_seconds = static_cast<double>(h.sum_ns) * 1e-9;
  return out;
}

void Histogram::add_to_bucket(int i, uint64_t n) {
  if (n == 0 || i < 0 || i >= KSCOPE_HIST_BUCKETS) return;
  if (counts_.empty()) {
    first_ = i;
    counts_.assign(1, n);
    return;
  }
  if (i < first_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(first_ - i), 0);
    first_ = i;
  } else if (i >= end_bucket()) {
    counts_.resize(static_cast<size_t>(i - first_ + 1), 0);
  }
  counts_[static_cast<size_t>(i - first_)] += n;
}

uint64_t Histogram::count() const {
  uint64_t n = 0;
  for (uint64_t b : counts_) n += b;
  return n;
}

void Histogram::add(const Histogram& other) {
  sum_seconds += other.sum_seconds;
  if (other.counts_.empty()) return;
  if (counts_.empty()) {
    first_ = other.first_;
    counts_ = other.counts_;
    return;
  }
  const int lo = std::min(first_, other.first_);
  const int hi = std::max(end_bucket(), other.end_bucket());
  if (lo < first_ || hi > end_bucket()) {
    std::vector<uint64_t> grown(static_cast<size_t>(hi - lo), 0);
    std::copy(counts_.begin(), counts_.end(), grown.begin() + (first_ - lo));
    counts_ = std::move(grown);
    first_ = lo;
  }
  for (size_t k = 0; k < other.counts_.size(); ++k) {
    counts_[static_cast<size_t>(other.first_ - first_) + k] += other.counts_[k];
  }
}

void Histogram::record_ns(uint64_t ns) {
  add_to_bucket(static_cast<int>(kscope_hist_bucket(ns)), 1);
  sum_seconds += static_cast<double>(ns) * 1e-9;
}

double Histogram::quantile_seconds(double q) const {
  uint64_t total = count();
  if (total == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  double rank = q * static_cast<double>(total);
  double seen = 0;
  for (int i = first_; i < end_bucket(); ++i) {
    double n = static_cast<double>(bucket(i));
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
  for (int i = first_; i < end_bucket(); ++i) {
    double lo = hist_bucket_lower_ns(i), hi = hist_bucket_upper_ns(i);
    if (hi <= limit_ns) {
      n += static_cast<double>(bucket(i));
    } else if (lo < limit_ns && !std::isinf(hi)) {
      n += static_cast<double>(bucket(i)) * (limit_ns - lo) / (hi - lo);
    }
  }
  return n;
}

bool Histogram::went_backwards_from(const Histogram& earlier) const {
  for (int i = earlier.first_; i < earlier.end_bucket(); ++i) {
    if (bucket(i) < earlier.bucket(i)) return true;
  }
  return false;
}

Histogram Histogram::delta_since(const Histogram& earlier) const {
  if (went_backwards_from(earlier)) return *this;  // reset
  Histogram out;
  out.first_ = first_;
  out.counts_.resize(counts_.size());
  for (int i = first_; i < end_bucket(); ++i) {
    out.counts_[static_cast<size_t>(i - first_)] = bucket(i) - earlier.bucket(i);
  }
  out.trim();
  out.sum_seconds = std::max(0.0, sum_seconds - earlier.sum_seconds);
  return out;
}

void Histogram::trim() {
  size_t lo = 0, hi = counts_.size();
  while (lo < hi && counts_[lo] == 0) ++lo;
  while (hi > lo && counts_[hi - 1] == 0) --hi;
  if (lo == 0 && hi == counts_.size()) return;
  counts_ = std::vector<uint64_t>(counts_.begin() + static_cast<std::ptrdiff_t>(lo),
                                  counts_.begin() + static_cast<std::ptrdiff_t>(hi));
  first_ = hi > lo ? first_ + static_cast<int>(lo) : 0;
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
  for (int i = h.begin_bucket(); i < h.end_bucket(); ++i) {
    uint64_t c = h.bucket(i);
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

const std::vector<double>& size_le_bytes() {
  static const std::vector<double> le = [] {
    std::vector<double> v;
    for (double b = 512; b <= 4 * 1024 * 1024; b *= 2) v.push_back(b);
    return v;
  }();
  return le;
}

}  // namespace kscope
