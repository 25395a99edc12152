#include "symbolize/proc_identity.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace kscope {
namespace {

TEST(ProcIdentity, StartTimeAfterCommWithParensAndSpaces) {
  std::string stat = "42 (evil) name (x) R 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 ";
  EXPECT_EQ(parse_start_time(stat), 987654u);
  EXPECT_FALSE(parse_start_time("42 (short) R 1 2"));
  EXPECT_FALSE(parse_start_time("no parens at all"));
}

TEST(ProcIdentity, OwnProcess) {
  auto t = read_start_time("/proc", getpid());
  ASSERT_TRUE(t);
  EXPECT_GT(*t, 0u);
  EXPECT_EQ(read_innermost_pid("/proc", getpid()), getpid());
  EXPECT_FALSE(read_start_time("/proc", 0x3fffffff));
}

}  // namespace
}  // namespace kscope
