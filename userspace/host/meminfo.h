// /proc/meminfo, every field, in node_exporter's naming: "Active(anon):  12 kB"
// becomes Active_anon_bytes = 12288; a field without a unit (HugePages_Total)
// keeps its name and count.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kscope::host {

// Fields kept from one read (the kernel has about 60).
inline constexpr size_t kMaxMeminfoFields = 256;

struct MeminfoField {
  std::string name;  // node_memory_<name>: "MemAvailable_bytes", "HugePages_Total"
  double value = 0;
};

// Lines whose name is not [A-Za-z0-9_()] or whose value is not a number with
// no unit or "kB" are skipped; a repeated name keeps its first value.
std::vector<MeminfoField> parse_meminfo(std::string_view text);

}  // namespace kscope::host
