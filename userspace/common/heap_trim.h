// Gives the heap's free pages back to the kernel, at most once per period.
//
// Why: glibc keeps freed memory in its arenas and returns it only from the
// top of a heap. kscope frees megabytes each interval (the previous
// snapshot, /metrics bodies, query results) while the history keeps small
// long-lived frames scattered through the same arenas, so the free space is
// rarely at the top: a soak at ~4,000 series held 62 MB of arena memory for
// 18 MB in use. malloc_trim(0) releases every free page in every arena
// (madvise), whatever its position.
//
// Thread safety: maybe_trim from any thread; one trim runs at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace kscope {

// Serves every block of `threshold` bytes or more with a mapping of its own,
// unmapped on free. glibc's default raises that threshold to the largest
// block freed so far (up to 32 MiB), so after the first /metrics scrape a
// multi-megabyte body is carved from the arena and stays resident until the
// next trim. Call once at start. Remeasured with 11 threads (2026-12-07,
// bench/glibc_soak, an hour side by side): without it +2.7 MB of RSS at
// the hour (the mean of the last 10 minutes).
void map_large_blocks(size_t threshold = size_t{256} << 10);

struct HeapTrimStats {
  uint64_t trims = 0;
  uint64_t released_bytes = 0;  // drop in resident memory across the trims, summed
  double seconds = 0;           // time spent trimming, summed
};

class HeapTrimmer {
 public:
  explicit HeapTrimmer(std::chrono::steady_clock::duration period = std::chrono::seconds(10))
      : period_(period) {}

  // Trims if the period has passed since the last trim; returns the bytes
  // released (0 if it did not trim).
  size_t maybe_trim(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  HeapTrimStats stats() const;

 private:
  const std::chrono::steady_clock::duration period_;
  std::atomic<int64_t> last_ns_{INT64_MIN};
  std::atomic<uint64_t> trims_{0}, released_{0}, nanos_{0};
};

}  // namespace kscope
