// Kernel symbols from /proc/kallsyms: a table sorted by address, searched
// by binary search. Immutable once built, so one table can be shared by
// threads without locking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace kscope {

struct KernelSymbol {
  std::string_view name;    // valid as long as the table
  std::string_view module;  // "" for vmlinux, else the module ("ext4")
  uint64_t start = 0;
  uint64_t offset = 0;  // looked-up address minus start
};

class KernelSymbols {
 public:
  // Parses kallsyms text ("ffffffff81000000 T _stext\t[module]" lines). Only
  // text symbols (t, T, w, W) are kept: stacks hold code addresses. Malformed
  // lines are skipped.
  static KernelSymbols parse(std::string_view text);
  static Result<KernelSymbols> load(const std::string& path = "/proc/kallsyms");

  // The symbol containing `address`, or nullopt when none does or addresses
  // are hidden. A symbol is taken to end where the next one starts.
  std::optional<KernelSymbol> find(uint64_t address) const;

  // kptr_restrict hides addresses from readers without CAP_SYSLOG by
  // printing them all as zero: the names are there but useless.
  bool restricted() const { return restricted_; }
  size_t size() const { return symbols_.size(); }

 private:
  struct Entry {
    uint64_t address;
    uint32_t name_offset;
    uint32_t name_length;
    uint32_t module_index;  // into modules_; 0 is vmlinux ("")
  };
  std::vector<Entry> symbols_;
  std::string names_;  // every name back to back, so 200k symbols are one allocation
  std::vector<std::string> modules_{""};
  bool restricted_ = false;
};

}  // namespace kscope
