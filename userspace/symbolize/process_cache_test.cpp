#include "symbolize/process_cache.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace kscope {
namespace {

ProcessImage image(pid_t pid, bool alive = true) {
  ProcessImage p;
  p.pid = pid;
  p.alive = alive;
  return p;
}

std::vector<pid_t> kept(const ProcessCache& cache) {
  auto pids = cache.pids();
  std::sort(pids.begin(), pids.end());
  return pids;
}

TEST(ProcessCache, DeadProcessesAreBoundedLeastRecentFirst) {
  ProcessCache cache(100, 2);
  for (pid_t pid = 1; pid <= 4; ++pid) cache.put(image(pid));
  ASSERT_NE(cache.find(1), nullptr);  // recency is now 1, 4, 3, 2
  for (pid_t pid = 1; pid <= 4; ++pid) cache.mark_dead(pid);
  EXPECT_EQ(cache.dead(), 2u);
  EXPECT_EQ(kept(cache), (std::vector<pid_t>{1, 4}));
}

TEST(ProcessCache, LiveProcessesAreNotEvictedByTheDeadBound) {
  ProcessCache cache(100, 0);
  cache.put(image(1));
  cache.put(image(2, false));
  cache.put(image(3));
  EXPECT_EQ(cache.dead(), 0u);
  EXPECT_EQ(kept(cache), (std::vector<pid_t>{1, 3}));
}

TEST(ProcessCache, TotalBoundEvictsLeastRecentlyUsed) {
  ProcessCache cache(2, 10);
  cache.put(image(1));
  cache.put(image(2));
  ASSERT_NE(cache.find(1), nullptr);
  cache.put(image(3));
  EXPECT_EQ(kept(cache), (std::vector<pid_t>{1, 3}));
}

TEST(ProcessCache, SweepStyleLookupsDoNotChangeRecency) {
  ProcessCache cache(100, 1);
  cache.put(image(1));
  cache.put(image(2));
  ASSERT_NE(cache.find(1, /*touch=*/false), nullptr);
  cache.mark_dead(1);
  cache.mark_dead(2);
  EXPECT_EQ(kept(cache), (std::vector<pid_t>{2}));
}

TEST(ProcessCache, PutReplacesAndEraseForgets) {
  ProcessCache cache(10, 10);
  cache.put(image(7, false));
  EXPECT_EQ(cache.dead(), 1u);
  cache.put(image(7));  // the pid now belongs to a live process
  EXPECT_EQ(cache.dead(), 0u);
  EXPECT_TRUE(cache.find(7)->alive);
  cache.erase(7);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace kscope
