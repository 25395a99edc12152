#include "common/heap_trim.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>

namespace kscope {
namespace {

// Resident bytes of this process (/proc/self/statm), 0 if unreadable. What
// malloc_trim gives back shows here: madvise leaves the arena sizes that
// mallinfo2 reports unchanged.
size_t resident_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace

void map_large_blocks(size_t threshold) {
  // Setting it at all turns the dynamic threshold off.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(threshold));
}

size_t HeapTrimmer::maybe_trim(std::chrono::steady_clock::time_point now) {
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  const int64_t period_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(period_).count();
  int64_t last = last_ns_.load();
  if (last != INT64_MIN && now_ns - last < period_ns) return 0;
  // One caller takes the slot; a concurrent one returns.
  if (!last_ns_.compare_exchange_strong(last, now_ns)) return 0;
  const size_t before = resident_bytes();
  const auto t0 = std::chrono::steady_clock::now();
  malloc_trim(0);
  const auto took = std::chrono::steady_clock::now() - t0;
  const size_t after = resident_bytes();
  const size_t released = before > after ? before - after : 0;
  trims_.fetch_add(1);
  released_.fetch_add(released);
  nanos_.fetch_add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()));
  return released;
}

HeapTrimStats HeapTrimmer::stats() const {
  return {trims_.load(), released_.load(), static_cast<double>(nanos_.load()) * 1e-9};
}

}  // namespace kscope
