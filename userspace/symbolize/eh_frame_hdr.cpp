#include "symbolize/eh_frame_hdr.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace kscope {
namespace {

constexpr uint8_t kOmit = 0xff;
constexpr uint8_t kDatarelSdata4 = 0x3b;

// The size of a fixed-size DWARF pointer encoding (its low nibble), or
// nothing for LEB128 and unknown formats.
std::optional<size_t> encoded_size(uint8_t enc) {
  switch (enc & 0x0f) {
    case 0x00: return 8;  // absptr (64-bit targets)
    case 0x02: case 0x0a: return 2;
    case 0x03: case 0x0b: return 4;
    case 0x04: case 0x0c: return 8;
    default: return std::nullopt;
  }
}

uint64_t read_unsigned(const char* p, size_t size) {
  uint64_t v = 0;
  std::memcpy(&v, p, size);  // little-endian hosts (x86-64, arm64)
  return v;
}

}  // namespace

std::vector<uint64_t> eh_frame_hdr_function_starts(std::string_view section, uint64_t section_vaddr) {
  std::vector<uint64_t> starts;
  if (section.size() < 4 || section[0] != 1) return starts;
  const uint8_t ptr_enc = uint8_t(section[1]), count_enc = uint8_t(section[2]), table_enc = uint8_t(section[3]);
  if (ptr_enc == kOmit || count_enc == kOmit || table_enc != kDatarelSdata4) return starts;
  auto ptr_size = encoded_size(ptr_enc), count_size = encoded_size(count_enc);
  if (!ptr_size || !count_size) return starts;
  size_t at = 4 + *ptr_size;
  if (section.size() < at + *count_size) return starts;
  uint64_t count = read_unsigned(section.data() + at, *count_size);
  at += *count_size;
  // Each entry: (initial location, FDE address), 4 bytes each.
  const uint64_t fits = (section.size() - at) / 8;
  if (count > fits) return starts;  // a count past the section: not trusted at all
  count = std::min<uint64_t>(count, kMaxFunctionStarts);
  starts.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    int32_t rel;
    std::memcpy(&rel, section.data() + at + i * 8, 4);
    starts.push_back(section_vaddr + static_cast<uint64_t>(static_cast<int64_t>(rel)));
  }
  // The linker sorts the table; a file that did not is sorted here.
  if (!std::is_sorted(starts.begin(), starts.end())) std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  return starts;
}

}  // namespace kscope
