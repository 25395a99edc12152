// JIT symbols from perf maps (/tmp/perf-PID.map): one "START SIZE name" line
// per compiled function, hex numbers, the name running to the end of line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace kscope {

struct PerfMapSymbol {
  std::string_view name;  // valid as long as the map
  uint64_t start = 0;
  uint64_t offset = 0;
};

class PerfMap {
 public:
  // Malformed lines are skipped. When JIT code is replaced the runtime
  // appends a new line for the same start: the later line wins.
  static PerfMap parse(std::string_view text);
  static Result<PerfMap> load(const std::string& path);

  // The entry whose [start, start+size) holds `address`; among overlapping
  // entries the one starting nearest below it.
  std::optional<PerfMapSymbol> find(uint64_t address) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t start;
    uint64_t size;
    std::string name;
  };
  std::vector<Entry> entries_;
};

}  // namespace kscope
