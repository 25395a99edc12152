#include "symbolize/process_cache.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

ProcessImage image(pid_t pid, bool alive = true) {
  ProcessImage p;
  p.pid = pid;
  p.alive = alive;
  return p;
}

TEST(ProcessCache, DeadProcessesAreBoundedLeastRecentFirst) {
  ProcessCache cache(100, 2);
  for (pid_t pid = 1; pid <= 4; ++pid) cache.put(image(pid));
  ASSERT_NE(cache.find(1), nullptr);  // 1 is now the most recent
  for (pid_t pid = 1; pid <= 4; ++pid) cache.mark_dead(pid);
  EXPECT_EQ(cache.dead(), 2u);
  EXPECT_EQ(cache.size(), 2u);
  // Recency is 1, 4, 3, 2: the two least recently used dead ones go.
  EXPECT_EQ(cache.find(2), nullptr);
  EXPECT_EQ(cache.find(3), nullptr);
  EXPECT_NE(cache.find(1), nullptr);
  EXPECT_NE(cache.find(4), nullptr);
}

TEST(ProcessCache, LiveProcessesAreNotEvictedByTheDeadBound) {
  ProcessCache cache(100, 0);
  cache.put(image(1));
  cache.put(image(2, false));
  cache.put(image(3));
  EXPECT_EQ(cache.dead(), 0u);
  EXPECT_NE(cache.find(1), nullptr);
  EXPECT_EQ(cache.find(2), nullptr);
  EXPECT_NE(cache.find(3), nullptr);
}

TEST(ProcessCache, TotalBoundEvictsLeastRecentlyUsed) {
  ProcessCache cache(2, 10);
  cache.put(image(1));
  cache.put(image(2));
  ASSERT_NE(cache.find(1), nullptr);
  cache.put(image(3));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find(2), nullptr);
  EXPECT_NE(cache.find(1), nullptr);
}

TEST(ProcessCache, PutReplacesAndEraseForgets) {
  ProcessCache cache(10, 10);
  cache.put(image(7, false));
  EXPECT_EQ(cache.dead(), 1u);
  cache.put(image(7));  // the pid now belongs to a live process
  EXPECT_EQ(cache.dead(), 0u);
  EXPECT_TRUE(cache.find(7)->alive);
  cache.erase(7);
  EXPECT_EQ(cache.find(7), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace kscope
