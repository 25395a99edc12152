// /proc/diskstats (Documentation/admin-guide/iostats.rst): I/O counts, sectors
// and times per block device.
//
// Devices left out, as node_exporter's default --collector.diskstats.device-exclude
// (^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$) does: RAM disks,
// floppies and the partitions of sd/vd/hd/xvd/nvme disks (the whole disk's
// line counts their I/O already). One difference: a loop device that has
// completed any I/O is kept (node_exporter drops every loopN), as loop
// devices carry real filesystems (snaps, images, tests) and the idle ones
// still stay out.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kscope::host {

inline constexpr size_t kMaxDisks = 256;

// The counters after major, minor and name, in the kernel's order. Kernels
// before 4.18 have the first 11, before 5.5 the first 15.
enum DiskField {
  kReads, kReadsMerged, kSectorsRead, kReadMs, kWrites, kWritesMerged, kSectorsWritten, kWriteMs,
  kIosInProgress, kIoMs, kWeightedIoMs, kDiscards, kDiscardsMerged, kSectorsDiscarded, kDiscardMs,
  kFlushes, kFlushMs, kDiskFields
};

struct DiskStats {
  std::string name;
  std::array<uint64_t, kDiskFields> v{};
  size_t fields = 0;  // how many of v the kernel gave (11, 15 or 17)
};

struct Diskstats {
  std::vector<DiskStats> disks;
  size_t dropped = 0;  // kept devices past kMaxDisks
};

// Whether a device's line is left out (see above); `has_io`: any read or
// write completed.
bool disk_excluded(std::string_view name, bool has_io);

Diskstats parse_diskstats(std::string_view text);

}  // namespace kscope::host
