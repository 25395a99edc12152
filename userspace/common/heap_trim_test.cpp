#include "common/heap_trim.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace kscope {
namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;

TEST(HeapTrimmer, TrimsAtMostOncePerPeriod) {
  HeapTrimmer t(seconds(10));
  const auto t0 = steady_clock::time_point(seconds(1000));
  t.maybe_trim(t0);
  t.maybe_trim(t0 + seconds(1));
  t.maybe_trim(t0 + seconds(9));
  EXPECT_EQ(t.stats().trims, 1u);
  t.maybe_trim(t0 + seconds(10));
  EXPECT_EQ(t.stats().trims, 2u);
}

#if !defined(__SANITIZE_ADDRESS__)
// The case it exists for: megabytes freed below a live allocation stay
// resident until trimmed, then go back to the kernel.
TEST(HeapTrimmer, GivesBackFreedMemoryBelowALiveAllocation) {
  constexpr size_t kChunk = 16 * 1024;  // below the mmap threshold: in the arena
  constexpr size_t kChunks = 2048;      // 32 MiB
  std::vector<char*> chunks;
  chunks.reserve(kChunks);
  for (size_t i = 0; i < kChunks; ++i) {
    chunks.push_back(static_cast<char*>(std::malloc(kChunk)));
    std::memset(chunks.back(), 1, kChunk);  // resident
  }
  // The last chunk stays: it lies above the others, so the heap's top
  // cannot shrink past it when they are freed.
  for (size_t i = 0; i + 1 < kChunks; ++i) std::free(chunks[i]);
  HeapTrimmer t(seconds(10));
  size_t released = t.maybe_trim(steady_clock::time_point(seconds(1)));
  std::free(chunks.back());
  EXPECT_GT(released, size_t{16} << 20) << "released " << released << " bytes of 32 MiB freed";
  EXPECT_EQ(t.stats().released_bytes, released);
}
#endif

#if !defined(__SANITIZE_ADDRESS__)  // ASan replaces glibc's malloc
// glibc alone would raise its mmap threshold to 4 MiB on the first free of
// such a block and carve the next one from the arena (resident until a
// trim); with map_large_blocks every one gets its own mapping.
TEST(MapLargeBlocks, BigBlocksStayMappedAfterOneIsFreed) {
  map_large_blocks();
  constexpr size_t kBig = size_t{4} << 20;
  void* first = std::malloc(kBig);
  ASSERT_NE(first, nullptr);
  std::memset(first, 1, kBig);
  asm volatile("" : : "r"(first) : "memory");  // keep the compiler from eliding the pair
  std::free(first);
  const size_t mapped_before = mallinfo2().hblkhd;
  void* second = std::malloc(kBig);
  ASSERT_NE(second, nullptr);
  std::memset(second, 2, kBig);
  asm volatile("" : : "r"(second) : "memory");
  EXPECT_GE(mallinfo2().hblkhd, mapped_before + kBig);
  std::free(second);
  EXPECT_LT(mallinfo2().hblkhd, mapped_before + kBig);
}
#endif

}  // namespace
}  // namespace kscope
