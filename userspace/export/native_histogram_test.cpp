#include "export/native_histogram.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kscope {

// The claim in native_histogram.h: each fine bucket gets a native bucket of
// its own, in order, whose upper bound is at or above the fine one and at
// most 11% above it.
TEST(NativeHistogram, EveryFineBucketHasItsOwnNativeBucketJustAbove) {
  int32_t prev = INT32_MIN;
  for (int i = 1; i < KSCOPE_HIST_BUCKETS - 1; ++i) {
    const int32_t idx = native_index_of_fine_bucket(i);
    EXPECT_GT(idx, prev) << "fine bucket " << i;
    prev = idx;
    const double fine_upper = hist_bucket_upper_ns(i) * 1e-9;
    const double native_upper = native_upper_seconds(idx);
    EXPECT_GE(native_upper, fine_upper) << i;
    EXPECT_LE(native_upper, fine_upper * 1.11) << i;
    EXPECT_LT(native_upper_seconds(idx - 1), fine_upper) << i;
  }
  const int last = KSCOPE_HIST_BUCKETS - 1;
  EXPECT_EQ(native_index_of_fine_bucket(last), prev + 1);
}

TEST(NativeHistogram, SpansAndDeltasDescribeTheCounts) {
  Histogram h;
  h.record_ns(50);  // below 128 ns: the zero bucket
  for (int k = 0; k < 3; ++k) h.record_ns(2'050'000);
  for (int k = 0; k < 5; ++k) h.record_ns(2'300'000);  // the next fine bucket
  h.record_ns(1'000'000'000);                           // far away: a second span
  NativeHistogram n = to_native(h);
  EXPECT_EQ(n.schema, 2);
  EXPECT_DOUBLE_EQ(n.zero_threshold, 128e-9);
  EXPECT_EQ(n.zero_count, 1u);
  ASSERT_EQ(n.spans.size(), 2u);
  const int32_t a = native_index_of_fine_bucket(static_cast<int>(kscope_hist_bucket(2'050'000)));
  EXPECT_EQ(a, -35);  // 2.05 ms: fine [1.83, 2.10 ms), native (1.86, 2.21 ms]
  EXPECT_EQ(n.spans[0].first, a);
  EXPECT_EQ(n.spans[0].second, 2u);
  // 1 s is in fine bucket [0.86 s, 1.07 s): native bucket 1, (0.84 s, 1.19 s].
  const int32_t far = native_index_of_fine_bucket(static_cast<int>(kscope_hist_bucket(1'000'000'000)));
  EXPECT_EQ(far, 1);
  EXPECT_EQ(n.spans[1].first, far - (a + 1) - 1);
  EXPECT_EQ(n.spans[1].second, 1u);
  EXPECT_EQ(n.deltas, (std::vector<int64_t>{3, 2, -4}));
  EXPECT_EQ(n.spans[1].first + a + 2, native_index_of_fine_bucket(h.end_bucket() - 1));
}

TEST(NativeHistogram, EmptyHasNoBuckets) {
  NativeHistogram n = to_native(Histogram{});
  EXPECT_TRUE(n.spans.empty());
  EXPECT_TRUE(n.deltas.empty());
  EXPECT_EQ(n.zero_count, 0u);
}

}  // namespace kscope
