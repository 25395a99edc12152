#include "common/thread_caches.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(ThreadCaches, AddsTheTunable) {
  EXPECT_EQ(tunables_without_thread_caches(nullptr), "glibc.malloc.tcache_count=0");
  EXPECT_EQ(tunables_without_thread_caches(""), "glibc.malloc.tcache_count=0");
  EXPECT_EQ(tunables_without_thread_caches("glibc.malloc.arena_max=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=0");
  // A similar name is not the same tunable.
  EXPECT_EQ(tunables_without_thread_caches("glibc.malloc.tcache_count_x=1"),
            "glibc.malloc.tcache_count_x=1:glibc.malloc.tcache_count=0");
}

TEST(ThreadCaches, TheOperatorsChoiceStands) {
  EXPECT_EQ(tunables_without_thread_caches("glibc.malloc.tcache_count=3"), "");
  EXPECT_EQ(tunables_without_thread_caches("glibc.malloc.arena_max=2:glibc.malloc.tcache_count=7"), "");
}

}  // namespace
}  // namespace kscope
