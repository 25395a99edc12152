#include "model/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace kscope {

TEST(Histogram, BucketBoundsContainTheirValues) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    uint64_t ns = rng() >> (rng() % 64);
    int b = static_cast<int>(kscope_hist_bucket(ns));
    ASSERT_LT(b, KSCOPE_HIST_BUCKETS);
    EXPECT_LE(hist_bucket_lower_ns(b), static_cast<double>(ns)) << ns;
    EXPECT_GT(hist_bucket_upper_ns(b), static_cast<double>(ns)) << ns;
  }
}

TEST(Histogram, AtLeastFourBucketsPerPowerOfTwoFrom1usTo10s) {
  for (double v = 1000; v < 10e9; v *= 2) {
    int lo = static_cast<int>(kscope_hist_bucket(static_cast<uint64_t>(v)));
    int hi = static_cast<int>(kscope_hist_bucket(static_cast<uint64_t>(v * 2)));
    EXPECT_GE(hi - lo, 4) << v;
  }
  EXPECT_LT(kscope_hist_bucket(10000000000ULL), static_cast<uint32_t>(KSCOPE_HIST_BUCKETS - 1));
}

TEST(Histogram, Log2MatchesTheCompiler) {
  for (uint64_t v : {1ULL, 2ULL, 3ULL, 1023ULL, 1024ULL, (1ULL << 40) + 5, ~0ULL}) {
    EXPECT_EQ(kscope_log2_u64(v), 63u - static_cast<uint32_t>(__builtin_clzll(v))) << v;
  }
}

// Percentiles from the buckets are within 20% of the exact percentiles of
// the recorded values, over distributions spanning 1us .. 10s.
TEST(Histogram, QuantilesWithinTwentyPercentOfExact) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(std::log(2e6), 1.5);  // around 2 ms
  std::vector<uint64_t> values;
  Histogram h;
  for (int i = 0; i < 200000; ++i) {
    double v = std::clamp(dist(rng), 1e3, 1e10);
    values.push_back(static_cast<uint64_t>(v));
    h.record_ns(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
    double exact = static_cast<double>(values[static_cast<size_t>(q * (values.size() - 1))]) * 1e-9;
    double est = h.quantile_seconds(q);
    EXPECT_NEAR(est / exact, 1.0, 0.2) << "q=" << q;
  }
  EXPECT_EQ(h.count(), values.size());
}

TEST(Histogram, QuantileOfConstantValueIsThatValue) {
  Histogram h;
  for (int i = 0; i < 1000; ++i) h.record_ns(2'050'000);  // a 2 ms sleep, as the kernel delivers it
  EXPECT_NEAR(h.quantile_seconds(0.5), 2.05e-3, 2.05e-3 * 0.15);
  EXPECT_NEAR(h.quantile_seconds(0.99), 2.05e-3, 2.05e-3 * 0.15);
  EXPECT_EQ(Histogram().quantile_seconds(0.5), 0);
}

TEST(Histogram, CumulativeCountsAreMonotoneAndComplete) {
  Histogram h;
  h.record_ns(500);          // 0.5 us
  h.record_ns(2'050'000);    // 2.05 ms
  h.record_ns(2'050'000);
  h.record_ns(30'000'000'000ULL);  // 30 s: above every boundary
  auto c = cumulative_counts(h, default_le_seconds());
  ASSERT_EQ(c.size(), default_le_seconds().size());
  EXPECT_EQ(c[0], 1u);                      // le=10us holds the 0.5 us call
  EXPECT_TRUE(std::is_sorted(c.begin(), c.end()));
  // 2.05 ms lives in [1.835, 2.097) ms, so it is first counted at le=2.5ms.
  size_t i_2ms5 = 7;
  ASSERT_DOUBLE_EQ(default_le_seconds()[i_2ms5], 2.5e-3);
  EXPECT_EQ(c[i_2ms5 - 1], 1u);
  EXPECT_EQ(c[i_2ms5], 3u);
  EXPECT_EQ(c.back(), 3u);  // the 30 s call is only in +Inf
  EXPECT_EQ(h.count(), 4u);
}

TEST(Histogram, CumulativeCountsIntoReusesTheBuffer) {
  const auto& le = default_le_seconds();
  const auto slots = le_slot_per_bucket(le);
  std::vector<uint64_t> out(le.size(), 99);  // stale values from a previous series
  Histogram a;
  a.record_ns(2'050'000);
  cumulative_counts_into(a, slots, out);
  EXPECT_EQ(out, cumulative_counts(a, le));
  Histogram b;
  b.record_ns(500);
  cumulative_counts_into(b, slots, out);
  EXPECT_EQ(out, cumulative_counts(b, le));
  EXPECT_EQ(out.front(), 1u);
  EXPECT_EQ(out.back(), 1u);
}

TEST(Histogram, DeltaSinceHandlesResets) {
  Histogram a, b;
  a.record_ns(1000);
  b = a;
  b.record_ns(1000);
  EXPECT_EQ(b.delta_since(a).count(), 1u);
  EXPECT_EQ(a.delta_since(b).count(), 1u);  // went backwards: treat as reset
}

// Only the span of non-empty buckets is stored; every operation must agree
// with a dense array of all KSCOPE_HIST_BUCKETS counts.
TEST(Histogram, SparseSpanAgreesWithADenseArray) {
  std::vector<uint64_t> dense(KSCOPE_HIST_BUCKETS, 0);
  kscope_hist k{};
  k.buckets[30] = 7;
  k.buckets[33] = 2;
  k.sum_ns = 1000;
  Histogram a = Histogram::from_kernel(k);
  EXPECT_EQ(a.begin_bucket(), 30);
  EXPECT_EQ(a.end_bucket(), 34);
  EXPECT_LE(a.heap_bytes(), 4 * sizeof(uint64_t));
  dense[30] += 7;
  dense[33] += 2;

  Histogram b;
  b.add_to_bucket(KSCOPE_HIST_BUCKETS - 1, 1);  // grows the span upwards
  b.add_to_bucket(0, 3);                        // and downwards
  b.add_to_bucket(-1, 5);                       // out of range: ignored
  b.add_to_bucket(KSCOPE_HIST_BUCKETS, 5);
  a.add(b);
  dense[KSCOPE_HIST_BUCKETS - 1] += 1;
  dense[0] += 3;
  for (int i = 0; i < KSCOPE_HIST_BUCKETS; ++i) EXPECT_EQ(a.bucket(i), dense[static_cast<size_t>(i)]) << i;
  EXPECT_EQ(a.bucket(-1), 0u);
  EXPECT_EQ(a.bucket(KSCOPE_HIST_BUCKETS), 0u);
  EXPECT_EQ(a.count(), 13u);

  // The delta drops the empty edges again.
  Histogram later = a;
  later.add_to_bucket(31, 4);
  Histogram d = later.delta_since(a);
  EXPECT_EQ(d.begin_bucket(), 31);
  EXPECT_EQ(d.end_bucket(), 32);
  EXPECT_EQ(d.count(), 4u);
  // Losing a bucket outside the later span is a reset too.
  EXPECT_TRUE(Histogram::from_kernel(k).went_backwards_from(a));
  EXPECT_FALSE(later.went_backwards_from(a));
  EXPECT_EQ(Histogram().delta_since(Histogram()).count(), 0u);
}

TEST(Histogram, CountBelowInterpolates) {
  Histogram h;
  for (int i = 0; i < 100; ++i) h.record_ns(1'000'000);
  for (int i = 0; i < 100; ++i) h.record_ns(100'000'000);
  EXPECT_NEAR(h.count_below_ns(10e6), 100, 1e-9);
}

}  // namespace kscope
