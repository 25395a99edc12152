#include "probes/breakdown_counter.h"

#include <gtest/gtest.h>

#include "model/target_labels.h"

namespace kscope {
namespace {

Labels comm(const std::string& v) { return {{"comm", v}}; }
Labels kernel_comm(const std::string& v) { return {{"comm", v}, {kKernelLabel, "true"}}; }

TEST(BreakdownCounterTest, OneSeriesPerValueAndCapFoldsIntoOther) {
  Family f = breakdown_counter("kscope_x_total", "x", "comm",
                               {{comm("a"), 5}, {comm("b"), 1}, {comm("c"), 2}, {comm("d"), 7}}, 3);
  EXPECT_EQ(f.type, MetricType::kCounter);
  std::map<std::string, double> got;
  for (const auto& s : f.series) got[*s.label("comm")] = s.value;
  // The two busiest keep their series; b and c are summed into "other".
  EXPECT_EQ(got, (std::map<std::string, double>{{"a", 5}, {"d", 7}, {"other", 3}}));
}

TEST(BreakdownCounterTest, NoBreakdownIsOneUnlabeledSeries) {
  Family f = breakdown_counter("kscope_x_total", "x", "", {{Labels{}, 4.5}}, 200);
  ASSERT_EQ(f.series.size(), 1u);
  EXPECT_TRUE(f.series[0].labels.empty());
  EXPECT_EQ(f.series[0].value, 4.5);
}

// A process that names itself like a kernel thread is not merged with the
// kernel thread: the kernel label (from PF_KTHREAD) keeps them apart, also
// once both are folded into "other".
TEST(BreakdownCounterTest, KernelThreadsKeepTheirOwnSeries) {
  Family f = breakdown_counter("kscope_x_total", "x", "comm",
                               {{comm("kworker/0:1"), 2}, {kernel_comm("kworker/0:1"), 3}, {comm("big"), 50},
                                {comm("small"), 1}, {kernel_comm("kcompactd0"), 1}},
                               2);
  std::map<std::pair<std::string, bool>, double> got;
  for (const auto& s : f.series) {
    const std::string* k = s.label(kKernelLabel);
    got[{*s.label("comm"), k != nullptr && *k == "true"}] += s.value;
  }
  EXPECT_EQ(got, (std::map<std::pair<std::string, bool>, double>{
                     {{"big", false}, 50}, {{"other", false}, 3}, {{"other", true}, 4}}));
}

}  // namespace
}  // namespace kscope
