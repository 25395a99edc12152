#include "host/block_devices.h"

#include <fstream>

namespace kscope {
namespace {

// A kernel device name is short and printable; anything else in the file is
// not trusted as one.
bool plausible_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

const std::string& BlockDeviceNames::name(uint32_t dev) {
  auto it = cache_.find(dev);
  if (it != cache_.end()) return it->second;
  const std::string numbers = std::to_string(major_of(dev)) + ":" + std::to_string(minor_of(dev));
  std::string found = numbers;
  std::ifstream uevent(root_ + "/dev/block/" + numbers + "/uevent");
  std::string line;
  for (int lines = 0; lines < 64 && std::getline(uevent, line); ++lines) {
    if (line.rfind("DEVNAME=", 0) == 0 && plausible_name(line.substr(8))) {
      found = line.substr(8);
      break;
    }
  }
  // Bounded: a host has few disks; a churn of loop devices is capped here.
  if (cache_.size() >= 4096) cache_.clear();
  return cache_.emplace(dev, found).first->second;
}

}  // namespace kscope
