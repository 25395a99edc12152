// Per-device I/O counters of a cgroup: v2 io.stat, v1
// blkio.throttle.io_service_bytes(_recursive) and io_serviced(_recursive).
// Pure text to struct; bounded in lines and devices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kscope {

inline constexpr size_t kCgroupMaxDevices = 64;

struct CgroupIoDevice {
  uint32_t major = 0;
  uint32_t minor = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t read_ops = 0;
  uint64_t write_ops = 0;
};

// v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per line;
// unknown keys are skipped (newer kernels add some).
std::vector<CgroupIoDevice> parse_io_stat(std::string_view text);

// v1: "8:0 Read 4096\n8:0 Write 0\n...\nTotal 4096"; `bytes` says whether
// the file counts bytes (io_service_bytes) or operations (io_serviced).
// Merged into `devices` (matched by MAJ:MIN), so both files fill one list.
void merge_blkio_throttle(std::string_view text, bool bytes, std::vector<CgroupIoDevice>& devices);

}  // namespace kscope
