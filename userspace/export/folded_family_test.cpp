#include "export/folded_family.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

double value_of(const Family& f, const Labels& l) {
  for (const auto& s : f.series) {
    if (s.labels == l) return s.value;
  }
  return -1;
}

}  // namespace

// A source moving from "other" to its own series must not make "other" go
// down (Prometheus would read a reset and rate() would jump).
TEST(FoldedFamily, SeriesOnlyGoUpWhenSourcesMove) {
  FoldedFamily f("kscope_syscalls_total", "Calls.", MetricType::kCounter);
  const Labels a{{"syscall", "read"}}, b{{"syscall", "rseq"}}, other{{"syscall", "other"}};
  f.update({{&a, a, 100, nullptr}, {&b, other, 10, nullptr}});
  EXPECT_EQ(value_of(f.family(), a), 100);
  EXPECT_EQ(value_of(f.family(), other), 10);
  // b grows by 5 and gets a series of its own: only what came after counts there.
  f.update({{&a, a, 100, nullptr}, {&b, b, 15, nullptr}});
  EXPECT_EQ(value_of(f.family(), b), 5);
  EXPECT_EQ(value_of(f.family(), other), -1);  // no source left: gone
  // a folds into other: other restarts from a's increase, never a's total.
  f.update({{&a, other, 130, nullptr}, {&b, b, 16, nullptr}});
  EXPECT_EQ(value_of(f.family(), other), 30);
  EXPECT_EQ(value_of(f.family(), b), 6);
}

TEST(FoldedFamily, SourceGoingAwayKeepsItsShareAndResetsCountAsIncreases) {
  FoldedFamily f("kscope_syscalls_total", "Calls.", MetricType::kCounter);
  const Labels a{{"comm", "a"}}, b{{"comm", "b"}}, other{{"comm", "other"}};
  f.update({{&a, other, 7, nullptr}, {&b, other, 3, nullptr}});
  EXPECT_EQ(value_of(f.family(), other), 10);
  f.update({{&b, other, 4, nullptr}});  // a idled out: its 7 stay
  EXPECT_EQ(value_of(f.family(), other), 11);
  f.update({{&b, other, 2, nullptr}});  // b's map entry was recreated: 2 new calls
  EXPECT_EQ(value_of(f.family(), other), 13);
}

TEST(FoldedFamily, HistogramsAccumulateBucketIncreases) {
  FoldedFamily f("kscope_syscall_latency_seconds", "Lat.", MetricType::kHistogram);
  const Labels a{{"comm", "a"}}, b{{"comm", "b"}}, other{{"comm", "other"}};
  // Each interval's histograms are its own objects (a snapshot's), alive
  // until the next update.
  Histogram ha1, hb;
  ha1.record_ns(1000);
  hb.record_ns(5'000'000);
  f.update({{&a, other, 0, &ha1}, {&b, other, 0, &hb}});
  Histogram ha2 = ha1;
  ha2.record_ns(1000);
  f.update({{&a, other, 0, &ha2}});
  Family out = f.family();
  ASSERT_EQ(out.series.size(), 1u);
  const Histogram& h = *out.series[0].histogram;
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.bucket(static_cast<int>(kscope_hist_bucket(1000))), 2u);
  EXPECT_EQ(h.bucket(static_cast<int>(kscope_hist_bucket(5'000'000))), 1u);
  EXPECT_NEAR(h.sum_seconds, 5'002'000e-9, 1e-12);
}

}  // namespace kscope
