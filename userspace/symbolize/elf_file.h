// An open ELF image (a file or bytes in memory) and the facts about it that
// symbolization needs besides the symbols: build-id, .gnu_debuglink and the
// PT_LOAD segments that turn file offsets into virtual addresses.
//
// Files are read with ELF_C_READ (pread on demand) rather than mmap: a file
// that is truncated while being read must give an error, not SIGBUS the
// collector. libelf checks section bounds against the file size, so corrupt
// headers come back as errors too.
#pragma once

#include <libelf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace kscope {

struct LoadSegment {
  uint64_t offset = 0;  // p_offset
  uint64_t vaddr = 0;   // p_vaddr
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  bool executable = false;
};

struct DebugLink {
  std::string name;  // a bare file name: names with '/' are rejected
  uint32_t crc = 0;  // CRC-32 (zlib's) of the debug file
};

class ElfFile {
 public:
  // `fd` must be a readable regular file; the ElfFile owns it afterwards.
  static Result<ElfFile> from_fd(UniqueFd fd, const std::string& name);
  static Result<ElfFile> open(const std::string& path);
  // `image` must outlive the ElfFile.
  static Result<ElfFile> from_memory(char* image, size_t size, const std::string& name);

  ElfFile(ElfFile&& other) noexcept;
  ElfFile& operator=(ElfFile&& other) noexcept;
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;
  ~ElfFile();

  Elf* elf() const { return elf_; }
  const std::string& name() const { return name_; }

  // Lower-case hex of the NT_GNU_BUILD_ID note, "" if there is none.
  std::string build_id() const;
  std::optional<DebugLink> debug_link() const;
  std::vector<LoadSegment> load_segments() const;
  // The section's name, or "" when it has none or the index is bad.
  std::string section_name(size_t index) const;

 private:
  ElfFile(Elf* elf, UniqueFd fd, std::string name)
      : elf_(elf), fd_(std::move(fd)), name_(std::move(name)) {}
  Elf* elf_ = nullptr;
  UniqueFd fd_;
  std::string name_;
};

// Turns a file offset inside a mapping into the ELF virtual address that
// symbol tables use: the PT_LOAD segment holding the offset decides. This is
// the same for PIE, shared objects and fixed-address executables, because it
// never depends on where the loader put the file.
std::optional<uint64_t> file_offset_to_vaddr(const std::vector<LoadSegment>& segments,
                                             uint64_t file_offset);

}  // namespace kscope
