#include "model/cardinality.h"

#include <gtest/gtest.h>

#include <set>

namespace kscope {

TEST(Cardinality, BusiestKeepTheirSeriesRestFoldIntoOther) {
  Family f{"x_total", "", MetricType::kCounter, {}};
  for (int i = 0; i < 10; ++i) {
    f.series.push_back({{{"syscall", "read"}, {"comm", "p" + std::to_string(i)}}, double(i + 1), {}});
    f.series.push_back({{{"syscall", "write"}, {"comm", "p" + std::to_string(i)}}, 1, {}});
  }
  fold_breakdown(f, "comm", 4);
  std::set<std::string> comms;
  double total = 0, other_read = 0;
  for (const auto& s : f.series) {
    comms.insert(*s.label("comm"));
    total += s.value;
    if (*s.label("comm") == "other" && *s.label("syscall") == "read") other_read = s.value;
  }
  EXPECT_EQ(comms, (std::set<std::string>{"p9", "p8", "p7", "other"}));
  EXPECT_EQ(total, 55 + 10);           // nothing lost
  EXPECT_EQ(other_read, 1 + 2 + 3 + 4 + 5 + 6 + 7);
}

TEST(Cardinality, HistogramsMergeWhenFolded) {
  Family f{"h", "", MetricType::kHistogram, {}};
  for (int i = 0; i < 5; ++i) {
    Histogram h;
    h.record_ns(1000 * (i + 1));
    f.series.push_back({{{"comm", "c" + std::to_string(i)}}, 0, h});
  }
  fold_breakdown(f, "comm", 2);
  ASSERT_EQ(f.series.size(), 2u);
  uint64_t n = 0;
  for (const auto& s : f.series) n += s.histogram->count();
  EXPECT_EQ(n, 5u);
}

TEST(Cardinality, UnderTheCapNothingChanges) {
  Family f{"x", "", MetricType::kCounter, {{{{"comm", "a"}}, 1, {}}, {{{"comm", "b"}}, 2, {}}}};
  fold_breakdown(f, "comm", 2);
  EXPECT_EQ(*f.series[0].label("comm"), "a");
  EXPECT_EQ(*f.series[1].label("comm"), "b");
}

TEST(Cardinality, EqualLabelSetsAreMergedEvenWithoutBreakdown) {
  Family f{"x", "", MetricType::kCounter, {{{{"syscall", "read"}}, 1, {}}, {{{"syscall", "read"}}, 2, {}}}};
  fold_breakdown(f, "", 10);
  ASSERT_EQ(f.series.size(), 1u);
  EXPECT_EQ(f.series[0].value, 3);
}

}  // namespace kscope
