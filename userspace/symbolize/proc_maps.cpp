#include "symbolize/proc_maps.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/file_read.h"
#include "symbolize/sorted_lookup.h"
#include "symbolize/text_parse.h"

namespace kscope {

namespace {

// A process with 100k mappings (the default vm.max_map_count is 65530)
// prints about 15 MB.
constexpr size_t kMaxMapsBytes = 64u << 20;
constexpr std::string_view kDeleted = " (deleted)";

std::optional<MapEntry> parse_line(std::string_view line) {
  std::string_view rest = line;
  std::string_view range = next_field(rest);
  std::string_view perms = next_field(rest);
  std::string_view offset = next_field(rest);
  std::string_view dev = next_field(rest);
  std::string_view inode = next_field(rest);
  size_t dash = range.find('-');
  size_t colon = dev.find(':');
  if (dash == std::string_view::npos || colon == std::string_view::npos || perms.size() < 4 ||
      inode.empty()) {
    return std::nullopt;
  }
  auto start = parse_hex(range.substr(0, dash));
  auto end = parse_hex(range.substr(dash + 1));
  auto off = parse_hex(offset);
  auto major = parse_hex(dev.substr(0, colon));
  auto minor = parse_hex(dev.substr(colon + 1));
  uint64_t ino = 0;
  auto [ptr, ec] = std::from_chars(inode.data(), inode.data() + inode.size(), ino);
  if (!start || !end || !off || !major || !minor || ec != std::errc() ||
      ptr != inode.data() + inode.size() || *end <= *start || *major > UINT32_MAX ||
      *minor > UINT32_MAX) {
    return std::nullopt;
  }
  MapEntry e;
  e.start = *start;
  e.end = *end;
  e.offset = *off;
  e.dev_major = static_cast<uint32_t>(*major);
  e.dev_minor = static_cast<uint32_t>(*minor);
  e.inode = ino;
  e.executable = perms[2] == 'x';
  // next_field already skipped the padding; what is left is the name, which
  // may itself contain (and end with) spaces.
  std::string_view path = rest;
  if (path.size() > kDeleted.size() && path.ends_with(kDeleted)) {
    path.remove_suffix(kDeleted.size());
    e.deleted = true;
  }
  e.path = std::string(path);
  return e;
}

}  // namespace

std::vector<MapEntry> parse_proc_maps(std::string_view text) {
  std::vector<MapEntry> out;
  for_each_line(text, [&](std::string_view line) {
    if (auto e = parse_line(line)) out.push_back(std::move(*e));
  });
  // The kernel prints in order; sorting anyway keeps find_mapping correct
  // for hand-made or reordered input.
  if (!std::is_sorted(out.begin(), out.end(),
                      [](const MapEntry& a, const MapEntry& b) { return a.start < b.start; })) {
    std::sort(out.begin(), out.end(),
              [](const MapEntry& a, const MapEntry& b) { return a.start < b.start; });
  }
  return out;
}

Result<std::vector<MapEntry>> read_proc_maps(pid_t pid, const std::string& proc_root) {
  auto text = read_file_bounded(proc_root + "/" + std::to_string(pid) + "/maps", kMaxMapsBytes);
  if (!text) return text.error();
  return parse_proc_maps(*text);
}

const MapEntry* find_mapping(const std::vector<MapEntry>& maps, uint64_t address) {
  const MapEntry* e =
      last_starting_at_or_below(maps, address, [](const MapEntry& m) { return m.start; });
  return e != nullptr && e->contains(address) ? e : nullptr;
}

}  // namespace kscope
