#include "symbolize/elf_symbols.h"

#include <gelf.h>

#include <algorithm>
#include <cstring>

#include "symbolize/eh_frame_hdr.h"
#include "symbolize/sorted_lookup.h"

namespace kscope {

namespace {

// Bounds for hostile or absurd files: the largest real binaries (browsers
// with full symbols) have a few million symbols.
constexpr size_t kMaxSymbols = 8u << 20;
constexpr size_t kMaxNameBytes = 512u << 20;
constexpr size_t kMaxNameLength = 64u << 10;
// Among overlapping symbols (a local label inside a function), how many
// lower-starting neighbours a lookup checks for the enclosing one.
constexpr int kMaxLookback = 16;

uint32_t rank_of(unsigned binding, std::string_view name) {
  uint32_t bind_rank = binding == STB_GLOBAL ? 0 : binding == STB_WEAK ? 1 : 2;
  size_t underscores = 0;
  while (underscores < name.size() && underscores < 3 && name[underscores] == '_') ++underscores;
  // Underscores first: glibc exports "getpid" as a weak alias of global
  // "__getpid", and people know the first name.
  return static_cast<uint32_t>(underscores) * 4 + bind_rank;
}

}  // namespace

ElfSymbolTable ElfSymbolTable::build(const ElfFile& file, const ElfFile* debug_file) {
  ElfSymbolTable table;
  table.build_id_ = file.build_id();
  table.segments_ = file.load_segments();
  table.add_section_symbols(file, SHT_SYMTAB);
  table.has_symtab_ = !table.symbols_.empty();
  table.add_section_symbols(file, SHT_DYNSYM);
  if (debug_file != nullptr) table.add_section_symbols(*debug_file, SHT_SYMTAB);
  table.add_function_starts(file);
  table.finish();
  return table;
}

void ElfSymbolTable::add_section_symbols(const ElfFile& file, uint32_t section_type) {
  Elf* elf = file.elf();
  // Which sections hold code, for symbols without a type.
  std::vector<bool> executable;
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    size_t index = elf_ndxscn(scn);
    if (index >= executable.size()) executable.resize(index + 1, false);
    executable[index] = (shdr.sh_flags & SHF_EXECINSTR) != 0;
  }
  scn = nullptr;
  while ((scn = elf_nextscn(elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != section_type ||
        shdr.sh_entsize == 0) {
      continue;
    }
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) continue;
    size_t count = shdr.sh_size / shdr.sh_entsize;
    for (size_t i = 0; i < count && symbols_.size() < kMaxSymbols; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) break;
      unsigned type = GELF_ST_TYPE(sym.st_info);
      if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE || sym.st_value == 0) {
        continue;
      }
      bool code =
          type == STT_FUNC || type == STT_GNU_IFUNC ||
          (type == STT_NOTYPE && sym.st_shndx < executable.size() && executable[sym.st_shndx]);
      if (!code) continue;
      const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
      if (name == nullptr || *name == '\0') continue;
      size_t len = strnlen(name, kMaxNameLength);
      if (names_.size() + len > kMaxNameBytes) return;
      std::string_view view(name, len);
      symbols_.push_back({sym.st_value, sym.st_size, static_cast<uint32_t>(names_.size()),
                          static_cast<uint32_t>(len), rank_of(GELF_ST_BIND(sym.st_info), view)});
      names_.append(view);
    }
  }
}

void ElfSymbolTable::add_function_starts(const ElfFile& file) {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(file.elf(), scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_PROGBITS) continue;
    if (file.section_name(elf_ndxscn(scn)) != ".eh_frame_hdr") continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || data->d_buf == nullptr) return;
    function_starts_ = eh_frame_hdr_function_starts(
        std::string_view(static_cast<const char*>(data->d_buf), data->d_size), shdr.sh_addr);
    function_starts_.shrink_to_fit();
    return;
  }
}

std::optional<uint64_t> ElfSymbolTable::function_start(uint64_t vaddr) const {
  auto it = std::upper_bound(function_starts_.begin(), function_starts_.end(), vaddr);
  if (it == function_starts_.begin()) return std::nullopt;
  const uint64_t start = *(it - 1);
  // Code only, and the start's segment: past the last function (or between
  // segments) the next start says nothing.
  for (const auto& seg : segments_) {
    if (!seg.executable) continue;
    const bool holds_start = start >= seg.vaddr && start - seg.vaddr < seg.memsz;
    const bool holds_vaddr = vaddr >= seg.vaddr && vaddr - seg.vaddr < seg.memsz;
    if (holds_start && holds_vaddr) return start;
  }
  return std::nullopt;
}

void ElfSymbolTable::finish() {
  std::sort(symbols_.begin(), symbols_.end(), [](const Entry& a, const Entry& b) {
    if (a.address != b.address) return a.address < b.address;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.size > b.size;
  });
  // One name per address; .symtab and .dynsym repeat each other.
  auto last = std::unique(symbols_.begin(), symbols_.end(),
                          [](const Entry& a, const Entry& b) { return a.address == b.address; });
  symbols_.erase(last, symbols_.end());
  symbols_.shrink_to_fit();
}

std::optional<ElfSymbol> ElfSymbolTable::find(uint64_t vaddr) const {
  const Entry* below =
      last_starting_at_or_below(symbols_, vaddr, [](const Entry& e) { return e.address; });
  if (below == nullptr) return std::nullopt;
  auto symbol = [&](const Entry& e) {
    return ElfSymbol{std::string_view(names_).substr(e.name_offset, e.name_length), e.address,
                     e.size, vaddr - e.address};
  };
  size_t i = static_cast<size_t>(below - symbols_.data());
  for (int looked = 0; looked < kMaxLookback; ++looked, --i) {
    const Entry& e = symbols_[i];
    if (e.size > 0 && vaddr - e.address < e.size) return symbol(e);
    if (i == 0) break;
  }
  // Assembly symbols often have no size: they run to the next symbol.
  if (below->size == 0) return symbol(*below);
  return std::nullopt;
}

}  // namespace kscope
