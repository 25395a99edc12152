#include "probes/breakdown_counter.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(BreakdownCounterTest, OneSeriesPerValueAndCapFoldsIntoOther) {
  Family f = breakdown_counter("kscope_x_total", "x", "comm", {{"a", 5}, {"b", 1}, {"c", 2}, {"d", 7}}, 3);
  EXPECT_EQ(f.type, MetricType::kCounter);
  std::map<std::string, double> got;
  for (const auto& s : f.series) got[*s.label("comm")] = s.value;
  // The two busiest keep their series; b and c are summed into "other".
  EXPECT_EQ(got, (std::map<std::string, double>{{"a", 5}, {"d", 7}, {"other", 3}}));
}

TEST(BreakdownCounterTest, NoBreakdownIsOneUnlabeledSeries) {
  Family f = breakdown_counter("kscope_x_total", "x", "", {{"", 4.5}}, 200);
  ASSERT_EQ(f.series.size(), 1u);
  EXPECT_TRUE(f.series[0].labels.empty());
  EXPECT_EQ(f.series[0].value, 4.5);
}

}  // namespace
}  // namespace kscope
