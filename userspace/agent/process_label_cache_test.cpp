#include "agent/process_label_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "symbolize/test_support.h"

namespace kscope {
namespace {

TEST(ProcessLabelCache, ReadsCommAndTheUnifiedCgroupPath) {
  testing::TempDir proc;
  proc.write("42/comm", "nginx\n");
  proc.write("42/cgroup", "12:memory:/system.slice/nginx.service\n0::/system.slice/nginx.service\n");
  ProcessLabelCache by_cgroup(Breakdown::kCgroup, proc.path());
  auto l = by_cgroup.labels(42);
  EXPECT_EQ(l.service, "nginx");
  EXPECT_EQ(l.breakdown, "/system.slice/nginx.service");
  ProcessLabelCache by_comm(Breakdown::kComm, proc.path());
  EXPECT_EQ(by_comm.labels(42).breakdown, "nginx");
  ProcessLabelCache none(Breakdown::kNone, proc.path());
  EXPECT_EQ(none.labels(42).breakdown, "");
  EXPECT_EQ(by_comm.cached(), 0u) << "labels of a process without connections are not kept";
}

// A client that exits before kscope matched its response keeps the labels
// read when its connection opened; the last close forgets them.
TEST(ProcessLabelCache, KeepsLabelsWhileConnectionsAreOpen) {
  testing::TempDir proc;
  proc.write("7/comm", "curl\n");
  ProcessLabelCache cache(Breakdown::kComm, proc.path());
  cache.on_open(7);
  cache.on_open(7);
  std::filesystem::remove_all(proc.path() + "/7");  // the process exited
  EXPECT_EQ(cache.labels(7).service, "curl");
  cache.on_close(7);
  EXPECT_EQ(cache.labels(7).breakdown, "curl");
  cache.on_close(7);
  EXPECT_EQ(cache.cached(), 0u);
  EXPECT_EQ(cache.labels(7).service, kUnknownProcess);
  EXPECT_EQ(cache.labels(7).breakdown, kUnknownProcess);
  cache.on_close(7);  // a close without an open (untracked) changes nothing
  EXPECT_EQ(cache.cached(), 0u);
}

// A PostgreSQL backend forked for one short connection may exit before
// kscope reads its open: its labels are its parent's (the postmaster's).
TEST(ProcessLabelCache, AForkedChildAlreadyGoneTakesItsParentsLabels) {
  testing::TempDir proc;
  proc.write("100/comm", "postgres\n");
  proc.write("101/comm", "postgres: idle\n");
  ProcessLabelCache cache(Breakdown::kComm, proc.path());
  cache.on_open(100);
  cache.on_open(102, 100);  // gone already
  cache.on_open(101, 100);  // alive: read itself
  cache.on_close(100);      // the parent closed its copy
  EXPECT_EQ(cache.labels(102).service, "postgres");
  EXPECT_EQ(cache.labels(102).breakdown, "postgres");
  EXPECT_EQ(cache.labels(101).service, "postgres: idle");
  cache.on_open(103, 999);  // neither readable
  EXPECT_EQ(cache.labels(103).service, kUnknownProcess);
}

// curl exits within milliseconds of its request, often before kscope reads
// its connection's open: the name the kernel saw at the open labels it.
TEST(ProcessLabelCache, AClientAlreadyGoneIsNamedByItsOpensComm) {
  testing::TempDir proc;
  proc.write("8/comm", "nginx\n");
  ProcessLabelCache cache(Breakdown::kComm, proc.path());
  cache.on_open(7, 0, "curl");  // gone
  EXPECT_EQ(cache.labels(7).service, "curl");
  EXPECT_EQ(cache.labels(7).breakdown, "curl");
  cache.on_open(8, 0, "stale");  // alive: /proc wins (it may have exec'd since)
  EXPECT_EQ(cache.labels(8).service, "nginx");
  ProcessLabelCache by_cgroup(Breakdown::kCgroup, proc.path());
  by_cgroup.on_open(7, 0, "curl");
  EXPECT_EQ(by_cgroup.labels(7).service, "curl");
  EXPECT_EQ(by_cgroup.labels(7).breakdown, kUnknownProcess);  // its cgroup is not known
}

TEST(ProcessLabelCache, IsBounded) {
  testing::TempDir proc;
  for (int pid : {1, 2, 3}) proc.write(std::to_string(pid) + "/comm", "p" + std::to_string(pid) + "\n");
  ProcessLabelCache cache(Breakdown::kComm, proc.path(), 2);
  for (uint32_t pid : {1u, 2u, 3u}) cache.on_open(pid);
  EXPECT_EQ(cache.cached(), 2u);
  EXPECT_EQ(cache.labels(3).service, "p3") << "past the bound, read when asked";
}

}  // namespace
}  // namespace kscope
