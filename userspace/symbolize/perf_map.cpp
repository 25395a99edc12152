#include "symbolize/perf_map.h"

#include <algorithm>

#include "common/file_read.h"
#include "symbolize/sorted_lookup.h"
#include "symbolize/text_parse.h"

namespace kscope {

namespace {
// Long-running JITs append forever; past this the map is not worth the memory.
constexpr size_t kMaxPerfMapBytes = 256u << 20;
}  // namespace

PerfMap PerfMap::parse(std::string_view text) {
  PerfMap map;
  for_each_line(text, [&](std::string_view line) {
    std::string_view rest = line;
    auto start = parse_hex(next_field(rest));
    auto size = parse_hex(next_field(rest));
    while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
    if (!start || !size || *size == 0 || rest.empty()) return;
    map.entries_.push_back({*start, *size, std::string(rest)});
  });
  // Stable, then keep the last of equal starts: that is the newest code.
  std::stable_sort(map.entries_.begin(), map.entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.start < b.start; });
  std::vector<Entry> unique;
  unique.reserve(map.entries_.size());
  for (auto& e : map.entries_) {
    if (!unique.empty() && unique.back().start == e.start) {
      unique.back() = std::move(e);
    } else {
      unique.push_back(std::move(e));
    }
  }
  map.entries_ = std::move(unique);
  return map;
}

Result<PerfMap> PerfMap::load(const std::string& path) {
  auto text = read_file_bounded(path, kMaxPerfMapBytes);
  if (!text) return text.error();
  return parse(*text);
}

std::optional<PerfMapSymbol> PerfMap::find(uint64_t address) const {
  const Entry* e =
      last_starting_at_or_below(entries_, address, [](const Entry& x) { return x.start; });
  if (e == nullptr || address - e->start >= e->size) return std::nullopt;
  return PerfMapSymbol{e->name, e->start, address - e->start};
}

}  // namespace kscope
