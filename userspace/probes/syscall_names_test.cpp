#include "probes/syscall_names.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>

namespace kscope {

TEST(SyscallNames, MatchTheSystemHeaders) {
  EXPECT_EQ(syscall_name(SYS_read), "read");
  EXPECT_EQ(syscall_name(SYS_openat), "openat");
  EXPECT_EQ(syscall_name(SYS_nanosleep), "nanosleep");
  EXPECT_EQ(syscall_name(SYS_clock_nanosleep), "clock_nanosleep");
  EXPECT_EQ(syscall_name(SYS_getppid), "getppid");
  EXPECT_EQ(syscall_name(100000), "syscall_100000");
  EXPECT_EQ(syscall_number("openat"), SYS_openat);
  EXPECT_FALSE(syscall_number("no_such_call").has_value());
}

TEST(SyscallNames, ErrnoNames) {
  EXPECT_EQ(errno_name(ENOENT), "ENOENT");
  EXPECT_EQ(errno_name(EAGAIN), "EAGAIN");
  EXPECT_EQ(errno_name(4000), "E4000");
}

TEST(SyscallNames, ByteCountingFamilies) {
  EXPECT_TRUE(syscall_returns_bytes("read"));
  EXPECT_TRUE(syscall_returns_bytes("sendto"));
  EXPECT_FALSE(syscall_returns_bytes("openat"));
}

}  // namespace kscope
