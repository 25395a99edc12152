#include "symbolize/elf_file.h"

#include <elf.h>
#include <fmt/format.h>
#include <gelf.h>

#include <cstring>
#include <mutex>
#include <utility>

#include "common/file_read.h"

namespace kscope {

namespace {

Status init_libelf() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = elf_version(EV_CURRENT) != EV_NONE; });
  if (!ok) return Error("libelf is too old for this ELF version");
  return ok_status();
}

Error elf_error(const std::string& name, const char* what) {
  return Error(fmt::format("{}: {}: {}", name, what, elf_errmsg(-1)));
}

// Frees `elf` when it is not a usable ELF image.
Status check_elf(Elf* elf, const std::string& name) {
  if (elf == nullptr) return elf_error(name, "not readable as ELF");
  GElf_Ehdr ehdr;
  if (elf_kind(elf) != ELF_K_ELF || gelf_getehdr(elf, &ehdr) == nullptr) {
    elf_end(elf);
    return Error(name + ": not an ELF file or a corrupt ELF header");
  }
  return ok_status();
}

std::string to_hex(const unsigned char* bytes, size_t n) {
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", bytes[i]);
  return out;
}

// Walks the notes in `data` for NT_GNU_BUILD_ID.
std::string build_id_in(Elf_Data* data) {
  if (data == nullptr) return {};
  GElf_Nhdr nhdr;
  size_t name_off = 0;
  size_t desc_off = 0;
  size_t off = 0;
  while ((off = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0) {
    const char* base = static_cast<const char*>(data->d_buf);
    if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 &&
        std::memcmp(base + name_off, "GNU", 4) == 0 && nhdr.n_descsz > 0 && nhdr.n_descsz <= 64) {
      return to_hex(reinterpret_cast<const unsigned char*>(base + desc_off), nhdr.n_descsz);
    }
  }
  return {};
}

}  // namespace

Result<ElfFile> ElfFile::from_fd(UniqueFd fd, const std::string& name) {
  if (auto s = init_libelf(); !s) return s.error();
  Elf* elf = elf_begin(fd.get(), ELF_C_READ, nullptr);
  if (auto s = check_elf(elf, name); !s) return s.error();
  return ElfFile(elf, std::move(fd), name);
}

Result<ElfFile> ElfFile::open(const std::string& path) {
  auto fd = open_regular_file(path);
  if (!fd) return fd.error();
  return from_fd(std::move(*fd), path);
}

Result<ElfFile> ElfFile::from_memory(char* image, size_t size, const std::string& name) {
  if (auto s = init_libelf(); !s) return s.error();
  Elf* elf = elf_memory(image, size);
  if (auto s = check_elf(elf, name); !s) return s.error();
  return ElfFile(elf, UniqueFd(), name);
}

ElfFile::ElfFile(ElfFile&& other) noexcept
    : elf_(std::exchange(other.elf_, nullptr)),
      fd_(std::move(other.fd_)),
      name_(std::move(other.name_)) {}

ElfFile& ElfFile::operator=(ElfFile&& other) noexcept {
  if (this != &other) {
    if (elf_ != nullptr) elf_end(elf_);
    elf_ = std::exchange(other.elf_, nullptr);
    fd_ = std::move(other.fd_);
    name_ = std::move(other.name_);
  }
  return *this;
}

ElfFile::~ElfFile() {
  if (elf_ != nullptr) elf_end(elf_);
}

std::string ElfFile::section_name(size_t index) const {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf_, &shstrndx) != 0) return {};
  Elf_Scn* scn = elf_getscn(elf_, index);
  GElf_Shdr shdr;
  if (scn == nullptr || gelf_getshdr(scn, &shdr) == nullptr) return {};
  const char* name = elf_strptr(elf_, shstrndx, shdr.sh_name);
  return name != nullptr ? name : "";
}

std::string ElfFile::build_id() const {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf_, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_NOTE) continue;
    std::string id = build_id_in(elf_getdata(scn, nullptr));
    if (!id.empty()) return id;
  }
  // Files without section headers still carry the note in a PT_NOTE segment.
  size_t phnum = 0;
  if (elf_getphdrnum(elf_, &phnum) != 0) return {};
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr phdr;
    if (gelf_getphdr(elf_, static_cast<int>(i), &phdr) == nullptr || phdr.p_type != PT_NOTE) {
      continue;
    }
    std::string id = build_id_in(
        elf_getdata_rawchunk(elf_, static_cast<int64_t>(phdr.p_offset), phdr.p_filesz, ELF_T_NHDR));
    if (!id.empty()) return id;
  }
  return {};
}

std::optional<DebugLink> ElfFile::debug_link() const {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf_, scn)) != nullptr) {
    if (section_name(elf_ndxscn(scn)) != ".gnu_debuglink") continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || data->d_buf == nullptr) return std::nullopt;
    const char* bytes = static_cast<const char*>(data->d_buf);
    size_t len = strnlen(bytes, data->d_size);
    size_t crc_off = (len + 4) & ~size_t{3};  // the name's NUL, then padding to 4
    if (len == 0 || crc_off + 4 > data->d_size) return std::nullopt;
    DebugLink link;
    link.name.assign(bytes, len);
    if (link.name.find('/') != std::string::npos || link.name == "." || link.name == "..") {
      return std::nullopt;
    }
    unsigned char c[4];
    std::memcpy(c, bytes + crc_off, 4);
    GElf_Ehdr ehdr;
    bool big = gelf_getehdr(elf_, &ehdr) != nullptr && ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
    link.crc = big ? (uint32_t{c[0]} << 24 | uint32_t{c[1]} << 16 | uint32_t{c[2]} << 8 | c[3])
                   : (uint32_t{c[3]} << 24 | uint32_t{c[2]} << 16 | uint32_t{c[1]} << 8 | c[0]);
    return link;
  }
  return std::nullopt;
}

std::vector<LoadSegment> ElfFile::load_segments() const {
  std::vector<LoadSegment> out;
  size_t phnum = 0;
  if (elf_getphdrnum(elf_, &phnum) != 0) return out;
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr phdr;
    if (gelf_getphdr(elf_, static_cast<int>(i), &phdr) == nullptr || phdr.p_type != PT_LOAD) {
      continue;
    }
    out.push_back(
        {phdr.p_offset, phdr.p_vaddr, phdr.p_filesz, phdr.p_memsz, (phdr.p_flags & PF_X) != 0});
  }
  return out;
}

std::optional<uint64_t> file_offset_to_vaddr(const std::vector<LoadSegment>& segments,
                                             uint64_t file_offset) {
  for (const auto& s : segments) {
    if (file_offset >= s.offset && file_offset - s.offset < s.filesz) {
      return s.vaddr + (file_offset - s.offset);
    }
  }
  return std::nullopt;
}

}  // namespace kscope
