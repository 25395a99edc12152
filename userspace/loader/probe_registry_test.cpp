#include <gtest/gtest.h>

#include "config/config.h"
#include "loader/probe.h"

namespace kscope {
namespace {

// The config validates probe names (budget.keep) against kProbeNames
// without linking the probes; this keeps the two lists the same.
TEST(ProbeRegistry, NamesAreTheOnesTheConfigKnows) {
  std::vector<std::string> names;
  for (const auto& info : probe_registry()) names.push_back(info.name);
  EXPECT_EQ(names, kProbeNames);
}

}  // namespace
}  // namespace kscope
