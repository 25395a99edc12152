#include "cgroups/cgroup_layout.h"

#include <gtest/gtest.h>

#include "cgroups/cgroup_test_tree.h"
#include "cgroups/cgroup_tree.h"

namespace kscope {
namespace {

// /proc/self/mounts of the development VM (hybrid: cpu and cpuacct even
// on separate hierarchies).
constexpr const char* kHybrid =
    "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
    "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
    "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
    "cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0\n"
    "cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0\n"
    "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
    "cgroup /sys/fs/cgroup/blkio cgroup rw,relatime,blkio 0 0\n"
    "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n"
    "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";

// A current distribution: pure cgroup v2.
constexpr const char* kV2 =
    "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
    "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n";

// An older one: pure v1 with cpu and cpuacct co-mounted.
constexpr const char* kV1 =
    "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0\n"
    "cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0\n"
    "cgroup /sys/fs/cgroup/blkio cgroup rw,nosuid,nodev,noexec,relatime,blkio 0 0\n";

TEST(CgroupLayout, Hybrid) {
  auto l = parse_cgroup_layout(kHybrid, "", true);
  EXPECT_EQ(l.mode(), "hybrid");
  EXPECT_EQ(l.cpu_usage, (CgroupHierarchy{CgroupVersion::kV1, "/sys/fs/cgroup/cpuacct"}));
  EXPECT_EQ(l.cpu_throttle, (CgroupHierarchy{CgroupVersion::kV1, "/sys/fs/cgroup/cpu"}));
  EXPECT_EQ(l.memory, (CgroupHierarchy{CgroupVersion::kV1, "/sys/fs/cgroup/memory"}));
  EXPECT_EQ(l.io, (CgroupHierarchy{CgroupVersion::kV1, "/sys/fs/cgroup/blkio"}));
  EXPECT_EQ(l.pressure, (CgroupHierarchy{CgroupVersion::kV2, "/sys/fs/cgroup/unified"}));
  EXPECT_EQ(l.roots(), (std::vector<std::string>{"/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu",
                                                  "/sys/fs/cgroup/memory", "/sys/fs/cgroup/blkio",
                                                  "/sys/fs/cgroup/unified"}));
  auto sources = cgroup_sources(l);
  ASSERT_EQ(sources.size(), 5u);
  EXPECT_EQ(sources[1].name, "cgroup.cpu_throttling");
  EXPECT_TRUE(sources[1].available);
  EXPECT_EQ(sources[1].detail, "cpu controller (cpu.stat throttling, limits): cgroup v1 at /sys/fs/cgroup/cpu");
  EXPECT_EQ(sources[4].detail, "pressure per cgroup: cgroup v2 at /sys/fs/cgroup/unified");
}

TEST(CgroupLayout, PureV2) {
  auto l = parse_cgroup_layout(kV2, "cpuset cpu io memory hugetlb pids rdma misc\n", true);
  EXPECT_EQ(l.mode(), "v2");
  for (const auto* h : {&l.cpu_usage, &l.cpu_throttle, &l.memory, &l.io, &l.pressure}) {
    EXPECT_EQ(*h, (CgroupHierarchy{CgroupVersion::kV2, "/sys/fs/cgroup"}));
  }
  EXPECT_EQ(l.roots(), std::vector<std::string>{"/sys/fs/cgroup"});
  for (const auto& s : cgroup_sources(l)) EXPECT_TRUE(s.available) << s.name;
}

TEST(CgroupLayout, V2WithoutControllersOrPsi) {
  // A container's cgroup namespace with nothing delegated, booted psi=0.
  auto l = parse_cgroup_layout(kV2, "pids\n", false);
  EXPECT_TRUE(l.cpu_usage.found());  // cpu.stat usage_usec is always there
  EXPECT_FALSE(l.cpu_throttle.found());
  EXPECT_FALSE(l.memory.found());
  auto sources = cgroup_sources(l);
  EXPECT_FALSE(sources[2].available);
  EXPECT_EQ(sources[2].detail,
            "memory controller: not found — no cgroup v1 mount with it, and the cgroup2 at /sys/fs/cgroup has it "
            "disabled");
  EXPECT_FALSE(sources[4].available);
  EXPECT_EQ(sources[4].detail,
            "pressure per cgroup: not found — no cpu.pressure in /sys/fs/cgroup (kernel booted with psi=0, or "
            "without CONFIG_PSI)");
}

TEST(CgroupLayout, PureV1) {
  auto l = parse_cgroup_layout(kV1, "", false);
  EXPECT_EQ(l.mode(), "v1");
  EXPECT_EQ(l.cpu_usage.root, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(l.cpu_throttle.root, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(l.roots().size(), 3u);
  auto sources = cgroup_sources(l);
  EXPECT_FALSE(sources[4].available);
  EXPECT_EQ(sources[4].detail, "pressure per cgroup: not found — no cgroup2 mount (cgroup v1 has no pressure files)");
}

TEST(CgroupLayout, NothingMounted) {
  auto l = parse_cgroup_layout("proc /proc proc rw 0 0\n", "", false);
  EXPECT_EQ(l.mode(), "none");
  EXPECT_TRUE(l.roots().empty());
  for (const auto& s : cgroup_sources(l)) EXPECT_FALSE(s.available);
}

TEST(CgroupLayout, EscapedMountPointAndJunk) {
  auto l = parse_cgroup_layout("garbage\n\ncgroup2 /sys/fs/cg\\040roup cgroup2 rw 0 0\ncgroup\n", "memory", false);
  EXPECT_EQ(l.unified, "/sys/fs/cg roup");
  EXPECT_EQ(l.memory.root, "/sys/fs/cg roup");
}

TEST(CgroupLayout, DiscoversFromAProcTree) {
  CgroupTestTree t;
  t.write("/sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n");
  t.write("/sys/fs/cgroup/cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n");
  t.write("/proc/self/mounts", "cgroup2 " + t.path("/sys/fs/cgroup") + " cgroup2 rw,nsdelegate 0 0\n");
  auto l = discover_cgroup_layout(t.path("/proc"));
  EXPECT_EQ(l.mode(), "v2");
  EXPECT_EQ(l.memory, (CgroupHierarchy{CgroupVersion::kV2, t.path("/sys/fs/cgroup")}));
  EXPECT_TRUE(l.pressure.found());
  EXPECT_EQ(l.unified_controllers, (std::vector<std::string>{"cpu", "io", "memory", "pids"}));
}

TEST(CgroupTree, WalksBoundedAndMergesHierarchies) {
  CgroupTestTree t;
  t.mkdir("/cpu/system.slice/nginx.service");
  t.mkdir("/cpu/user.slice/user-1000.slice/session-3.scope");
  t.mkdir("/memory/system.slice/nginx.service");
  t.mkdir("/memory/docker/abc");
  t.write("/memory/memory.stat", "cache 0\n");  // files are not cgroups
  auto w = walk_cgroups({t.path("/cpu"), t.path("/memory")}, 8, 100);
  EXPECT_FALSE(w.truncated);
  EXPECT_EQ(w.paths, (std::vector<std::string>{"/docker", "/docker/abc", "/system.slice", "/system.slice/nginx.service",
                                               "/user.slice", "/user.slice/user-1000.slice",
                                               "/user.slice/user-1000.slice/session-3.scope"}));
  auto shallow = walk_cgroups({t.path("/cpu")}, 2, 100);
  EXPECT_EQ(shallow.paths, (std::vector<std::string>{"/system.slice", "/system.slice/nginx.service", "/user.slice",
                                                     "/user.slice/user-1000.slice"}));
  auto capped = walk_cgroups({t.path("/cpu"), t.path("/memory")}, 8, 3);
  EXPECT_TRUE(capped.truncated);
  // Breadth first: the top level is kept whole.
  EXPECT_EQ(capped.paths, (std::vector<std::string>{"/docker", "/system.slice", "/user.slice"}));
  EXPECT_TRUE(walk_cgroups({t.path("/missing")}, 8, 100).paths.empty());
}

}  // namespace
}  // namespace kscope
