// /proc/PID/maps: which file (or anonymous region) backs each address range
// of a process. Lines are untrusted text: a file name may hold spaces, and
// the kernel writes a newline in a name as "\012".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace kscope {

struct MapEntry {
  uint64_t start = 0;
  uint64_t end = 0;     // exclusive
  uint64_t offset = 0;  // file offset mapped at `start`
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
  uint64_t inode = 0;
  bool executable = false;
  // As printed, minus a " (deleted)" suffix; "" for anonymous memory,
  // "[heap]", "[vdso]" and the like for special regions.
  std::string path;
  bool deleted = false;

  bool contains(uint64_t address) const { return address >= start && address < end; }
  // Backed by a file (not anonymous, not a [special] region).
  bool is_file() const { return !path.empty() && path.front() == '/'; }
};

// Parses maps text; lines that do not parse are skipped, so a truncated last
// line costs that mapping only. Entries stay in the kernel's (address) order.
std::vector<MapEntry> parse_proc_maps(std::string_view text);

// Reads <proc_root>/<pid>/maps.
Result<std::vector<MapEntry>> read_proc_maps(pid_t pid, const std::string& proc_root = "/proc");

// The entry containing `address` in address-sorted `maps`, or nullptr.
const MapEntry* find_mapping(const std::vector<MapEntry>& maps, uint64_t address);

}  // namespace kscope
