#include "agent/instance_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "symbolize/test_support.h"

namespace kscope {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(InstanceLock, ASecondIsRefusedNamingTheFirst) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/kscope.lock";
  auto first = InstanceLock::acquire(path, "127.0.0.1:9494");
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_TRUE(first->held());
  EXPECT_EQ(read_all(path), std::to_string(getpid()) + " 127.0.0.1:9494\n");

  // flock locks belong to the open file, so a second open in this process
  // is refused as a second process would be.
  auto second = InstanceLock::acquire(path, "127.0.0.1:9595");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message(),
            "kscope run is already running (pid " + std::to_string(getpid()) + ", listening on 127.0.0.1:9494)");
  EXPECT_NE(second.error().hint().find("--allow-second"), std::string::npos);
  EXPECT_EQ(read_all(path), std::to_string(getpid()) + " 127.0.0.1:9494\n") << "the refused one wrote the file";
}

TEST(InstanceLock, AFileLeftByADeadAgentDoesNotBlock) {
  testing::TempDir dir;
  const std::string path = dir.write("kscope.lock", "999999 0.0.0.0:9494\n");
  auto lock = InstanceLock::acquire(path, "[::1]:9000");
  ASSERT_TRUE(lock) << lock.error().to_string();
  EXPECT_EQ(read_all(path), std::to_string(getpid()) + " [::1]:9000\n");
}

TEST(InstanceLock, ReleasedWhenDestroyed) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/kscope.lock";
  { ASSERT_TRUE(InstanceLock::acquire(path, "a:1")); }
  EXPECT_TRUE(InstanceLock::acquire(path, "b:2"));
}

TEST(InstanceLock, AnUnwritablePlaceIsAWarningNotARefusal) {
  auto lock = InstanceLock::acquire("/nonexistent-dir-kscope/kscope.lock", "a:1");
  ASSERT_TRUE(lock);
  EXPECT_FALSE(lock->held());
  EXPECT_NE(lock->warning().find("/nonexistent-dir-kscope/kscope.lock"), std::string::npos);
}

TEST(InstanceLock, PathFromFlagThenEnvironment) {
  EXPECT_EQ(instance_lock_path("/tmp/x.lock"), "/tmp/x.lock");
  setenv("KSCOPE_LOCK_FILE", "/tmp/env.lock", 1);
  EXPECT_EQ(instance_lock_path(""), "/tmp/env.lock");
  unsetenv("KSCOPE_LOCK_FILE");
  EXPECT_EQ(instance_lock_path(""), "/run/kscope.lock");
}

}  // namespace
}  // namespace kscope
