// Block device names for the dev_t numbers the block probe keys by:
// "sda", "nvme0n1", "loop3", from /sys/dev/block/MAJ:MIN/uevent (DEVNAME),
// cached. A number sysfs does not know (a device removed since) reads as
// "MAJ:MIN".
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace kscope {

class BlockDeviceNames {
 public:
  explicit BlockDeviceNames(std::string sysfs_root = "/sys") : root_(std::move(sysfs_root)) {}

  // dev as the kernel's dev_t: major << 20 | minor.
  const std::string& name(uint32_t dev);

  static uint32_t major_of(uint32_t dev) { return dev >> 20; }
  static uint32_t minor_of(uint32_t dev) { return dev & ((1u << 20) - 1); }

 private:
  std::string root_;
  std::map<uint32_t, std::string> cache_;
};

}  // namespace kscope
