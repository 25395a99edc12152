// What is normal for a signal over the window: its distribution once the
// outliers are set aside. Tukey's fences (1.5 IQR beyond the quartiles)
// decide what an outlier is, so one incident does not move the p99 or the
// standard deviation that capacity is planned from.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace kscope {

struct Baseline {
  size_t count = 0;     // finite values kept
  size_t outliers = 0;  // finite values outside the fences
  double low_fence = 0, high_fence = 0;  // Q1 - 1.5 IQR, Q3 + 1.5 IQR
  double p50 = 0, p95 = 0, p99 = 0;
  double mean = 0, stddev = 0;  // population standard deviation
  double min = 0, max = 0;      // of the kept values
};

// Quantile q in [0, 1] of sorted values, linearly interpolated between
// closest ranks (Hyndman-Fan type 7, as numpy and R default to). The input
// must be sorted and not empty.
double sorted_quantile(const std::vector<double>& sorted, double q);

// The baseline of the finite values; nullopt when there are none.
std::optional<Baseline> compute_baseline(const std::vector<double>& values);

// A standard deviation that outliers barely move: 1.4826 times the median
// absolute deviation (equal to the standard deviation for normal data),
// over the finite values; 0 when none.
double robust_sigma(const std::vector<double>& values);

}  // namespace kscope
