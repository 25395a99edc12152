#include "probes/tcp_endpoints.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

double value(const std::vector<Series>& series, const std::string& state, const std::string& addr,
             const std::string& port) {
  for (const auto& s : series) {
    if (*s.label("state") == state && *s.label("remote_addr") == addr && *s.label("remote_port") == port) {
      return s.value;
    }
  }
  return -1;
}

TEST(EndpointCap, BusiestNewEndpointsGetSeriesTheRestAreOther) {
  EndpointCap cap(2);
  auto s = cap.series({{"ESTABLISHED", "10.0.0.1", 80, false, 5},
                       {"ESTABLISHED", "10.0.0.2", 80, false, 9},
                       {"ESTABLISHED", "10.0.0.3", 80, false, 7},
                       {"SYN_SENT", "10.0.0.3", 80, false, 1}});
  EXPECT_EQ(value(s, "ESTABLISHED", "10.0.0.2", "80"), 9);
  EXPECT_EQ(value(s, "ESTABLISHED", "10.0.0.3", "80"), 7);
  EXPECT_EQ(value(s, "SYN_SENT", "10.0.0.3", "80"), 1);
  EXPECT_EQ(value(s, "ESTABLISHED", "other", "other"), 5);
  EXPECT_EQ(s.size(), 4u);
}

TEST(EndpointCap, KeptEndpointsStaySoCountersStayMonotonic) {
  EndpointCap cap(1);
  auto first = cap.series({{"ESTABLISHED", "10.0.0.1", 80, false, 1}});
  EXPECT_EQ(value(first, "ESTABLISHED", "10.0.0.1", "80"), 1);
  // A busier newcomer does not take the slot away.
  auto second =
      cap.series({{"ESTABLISHED", "10.0.0.1", 80, false, 2}, {"ESTABLISHED", "10.0.0.9", 443, false, 100}});
  EXPECT_EQ(value(second, "ESTABLISHED", "10.0.0.1", "80"), 2);
  EXPECT_EQ(value(second, "ESTABLISHED", "other", "other"), 100);
}

TEST(EndpointCap, KernelOverflowKeyIsOtherAndZeroCapKeepsNone) {
  EndpointCap cap(0);
  auto s = cap.series({{"ESTABLISHED", "10.0.0.1", 80, false, 3}, {"ESTABLISHED", "", 0, true, 4}});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(value(s, "ESTABLISHED", "other", "other"), 7);
}

}  // namespace
}  // namespace kscope
