// The function symbols of one ELF binary, sorted for address lookup.
// Immutable after build(): the cache shares one table between every process
// that maps the binary, across threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "symbolize/elf_file.h"

namespace kscope {

struct ElfSymbol {
  std::string_view name;  // mangled, as in the file; valid as long as the table
  uint64_t start = 0;     // ELF virtual address
  uint64_t size = 0;
  uint64_t offset = 0;  // looked-up address minus start
};

class ElfSymbolTable {
 public:
  // Function symbols (STT_FUNC, STT_GNU_IFUNC, and untyped symbols in
  // executable sections, as hand-written assembly leaves them) from .symtab
  // and .dynsym of `file`, and the .symtab of `debug_file` when given (a
  // separate debug file for a stripped binary: same addresses). Build-id and
  // segments always come from `file`. Corrupt sections are skipped.
  static ElfSymbolTable build(const ElfFile& file, const ElfFile* debug_file = nullptr);

  // The symbol containing ELF virtual address `vaddr`. Where several names
  // share an address the least underscored one is kept, globals before weak
  // and local ones.
  std::optional<ElfSymbol> find(uint64_t vaddr) const;
  // For an address no symbol covers: the start of the function containing
  // it, from .eh_frame_hdr (symbolize/eh_frame_hdr.h), when the address is
  // in executable code and below the next function's start.
  std::optional<uint64_t> function_start(uint64_t vaddr) const;
  std::optional<uint64_t> vaddr_for_file_offset(uint64_t file_offset) const {
    return file_offset_to_vaddr(segments_, file_offset);
  }

  const std::string& build_id() const { return build_id_; }
  // Whether the file had a full .symtab (else only exported .dynsym names,
  // and a debug file is worth looking for).
  bool has_symtab() const { return has_symtab_; }
  size_t size() const { return symbols_.size(); }
  size_t memory_bytes() const {
    return symbols_.capacity() * sizeof(Entry) + names_.capacity() + function_starts_.capacity() * sizeof(uint64_t);
  }

 private:
  struct Entry {
    uint64_t address;
    uint64_t size;
    uint32_t name_offset;
    uint32_t name_length;
    uint32_t rank;  // lower is preferred among aliases
  };
  void add_section_symbols(const ElfFile& file, uint32_t section_type);
  void add_function_starts(const ElfFile& file);
  void finish();

  std::vector<Entry> symbols_;
  std::string names_;
  std::vector<uint64_t> function_starts_;  // sorted
  std::vector<LoadSegment> segments_;
  std::string build_id_;
  bool has_symtab_ = false;
};

}  // namespace kscope
