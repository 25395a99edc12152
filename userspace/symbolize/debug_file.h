// Finding the separate debug file of a stripped binary, the way gdb and perf
// do: /usr/lib/debug/.build-id/xx/yyyy.debug by build-id first, then the
// .gnu_debuglink name next to the binary, in its .debug/ folder and under
// /usr/lib/debug/<binary's folder>/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "symbolize/elf_file.h"

namespace kscope {

struct DebugFileSearch {
  // Prefixes the process's paths are opened through, in order: the process's
  // own root ("/proc/PID/root") first, then "" for the host's view.
  std::vector<std::string> roots;
  std::vector<std::string> debug_dirs{"/usr/lib/debug"};
};

// `binary_path` is the binary's path as the process sees it (absolute).
// A candidate found by build-id must carry the same build-id; one found by
// debuglink must match its CRC. nullopt when none fits.
std::optional<ElfFile> find_debug_file(const ElfFile& binary, const std::string& build_id,
                                       const std::string& binary_path,
                                       const DebugFileSearch& search);

}  // namespace kscope
