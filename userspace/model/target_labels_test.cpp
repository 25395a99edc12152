#include "model/target_labels.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace kscope {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

uint64_t inode_of(const fs::path& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

class CgroupPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // tmpfs numbers inodes without reuse, like cgroupfs its ids; a disk
    // file system may hand a removed directory's inode to the next one.
    const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    root_ = base / ("kscope-cgroups-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "system.slice" / "a.service");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(CgroupPathsTest, ResolvesPathsAndRemembersMisses) {
  CgroupPaths paths(root_.string());
  const auto t0 = CgroupPaths::Clock::time_point{} + 1h;
  EXPECT_EQ(paths.path(inode_of(root_ / "system.slice" / "a.service"), t0), "/system.slice/a.service");
  EXPECT_EQ(paths.path(inode_of(root_), t0), "/");
  const size_t held = paths.cached();
  EXPECT_EQ(paths.path(1, t0), "cgroup:1");
  EXPECT_EQ(paths.cached(), held + 1);
}

// Containers come and go: the ids of removed cgroups must not pile up.
TEST_F(CgroupPathsTest, ForgetsGoneCgroupsNotAskedFor) {
  CgroupPaths paths(root_.string(), 10min);
  auto now = CgroupPaths::Clock::time_point{} + 1h;
  EXPECT_EQ(paths.path(inode_of(root_), now), "/");
  const size_t baseline = paths.cached();
  for (int round = 0; round < 50; ++round) {
    const fs::path dir = root_ / ("c" + std::to_string(round));
    fs::create_directory(dir);
    const uint64_t id = inode_of(dir);
    EXPECT_EQ(paths.path(id, now), "/c" + std::to_string(round));
    fs::remove(dir);
    now += 1min;
  }
  // Gone and unused for more than 10 minutes: forgotten at the next rescan
  // (the ones used within 10 minutes stay, they may still be asked for).
  EXPECT_LE(paths.cached(), baseline + 11);
}

TEST_F(CgroupPathsTest, KeepsADeadIdStillAskedFor) {
  CgroupPaths paths(root_.string(), 10min);
  auto now = CgroupPaths::Clock::time_point{} + 1h;
  fs::create_directory(root_ / "gone");
  const uint64_t gone = inode_of(root_ / "gone");
  EXPECT_EQ(paths.path(gone, now), "/gone");
  fs::remove(root_ / "gone");
  for (int i = 0; i < 30; ++i) {
    now += 1min;
    EXPECT_EQ(paths.path(gone, now),
              "/gone");  // a kernel map entry still names it
    fs::create_directory(root_ / ("n" + std::to_string(i)));
    paths.path(inode_of(root_ / ("n" + std::to_string(i))),
               now);  // a miss: rescan
  }
}

TEST(TargetLabelerTest, KernelThreadsAloneCarryTheKernelLabel) {
  TargetLabeler comm(Breakdown::kComm);
  kscope_target t{};
  std::memcpy(t.comm, "kworker/0:1", 12);
  EXPECT_EQ(comm.labels(t, 0), (Labels{{"comm", "kworker/0:1"}}));
  EXPECT_EQ(comm.labels(t, KSCOPE_KEY_KERNEL), (Labels{{"comm", "kworker/0:1"}, {"kernel", "true"}}));
  EXPECT_EQ(comm.labels(t, KSCOPE_KEY_KERNEL | KSCOPE_KEY_IDLE), (Labels{{"comm", "kworker/0:1"}, {"kernel", "true"}}));
  // The overflow key folds every target: it is nobody's kernel thread.
  EXPECT_EQ(comm.labels(kscope_target{}, KSCOPE_KEY_OTHER), (Labels{{"comm", "other"}}));
  // No breakdown: the one host-wide series has no labels at all.
  TargetLabeler none(Breakdown::kNone);
  EXPECT_TRUE(none.labels(t, KSCOPE_KEY_KERNEL).empty());
}

// Hybrid hosts keep the memory controller on cgroup v1; its mount is where
// memory cgroup ids resolve. "memory" must be a whole mount option.
TEST(CgroupMemoryMount, FindsTheV1MemoryHierarchyOrFallsBack) {
  const fs::path f = fs::temp_directory_path() / ("kscope-mounts-" + std::to_string(getpid()));
  {
    std::ofstream out(f);
    out << "cgroup /sys/fs/cgroup/memsw_like cgroup rw,relatime,memory_recursiveprot 0 0\n"
           "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
           "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
           "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";
  }
  EXPECT_EQ(CgroupPaths::memory_mount(f.string()), "/sys/fs/cgroup/memory");
  {
    std::ofstream out(f);
    out << "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu,cpuacct 0 0\n";
  }
  EXPECT_EQ(CgroupPaths::memory_mount(f.string()), CgroupPaths::cgroup2_mount());
  fs::remove(f);
}

}  // namespace
}  // namespace kscope
