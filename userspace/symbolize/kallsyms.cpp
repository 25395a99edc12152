#include "symbolize/kallsyms.h"

#include <algorithm>
#include <unordered_map>

#include "common/file_read.h"
#include "symbolize/sorted_lookup.h"
#include "symbolize/text_parse.h"

namespace kscope {

namespace {

// kallsyms has no sizes; the last symbol (and one before a gap, e.g. the
// end of a module) would otherwise claim everything above it.
constexpr uint64_t kMaxSymbolSpan = 1 << 20;
// /proc/kallsyms is ~15 MB on a distro kernel with many modules.
constexpr size_t kMaxKallsymsBytes = 256u << 20;

bool is_text_type(std::string_view type) {
  return type.size() == 1 && (type[0] == 't' || type[0] == 'T' || type[0] == 'w' || type[0] == 'W');
}

}  // namespace

KernelSymbols KernelSymbols::parse(std::string_view text) {
  KernelSymbols table;
  std::unordered_map<std::string, uint32_t> module_ids;
  size_t lines = 0;
  size_t zero = 0;
  for_each_line(text, [&](std::string_view line) {
    std::string_view rest = line;
    auto address = parse_hex(next_field(rest));
    std::string_view type = next_field(rest);
    std::string_view name = next_field(rest);
    if (!address || !is_text_type(type) || name.empty()) return;
    ++lines;
    if (*address == 0) {
      ++zero;
      return;
    }
    uint32_t module_index = 0;
    std::string_view module = next_field(rest);
    if (module.size() > 2 && module.front() == '[' && module.back() == ']') {
      std::string key(module.substr(1, module.size() - 2));
      auto [it, inserted] = module_ids.emplace(key, static_cast<uint32_t>(table.modules_.size()));
      if (inserted) table.modules_.push_back(key);
      module_index = it->second;
    }
    if (table.names_.size() + name.size() > UINT32_MAX) return;
    table.symbols_.push_back({*address, static_cast<uint32_t>(table.names_.size()),
                              static_cast<uint32_t>(name.size()), module_index});
    table.names_.append(name);
  });
  table.restricted_ = lines > 0 && zero == lines;
  std::stable_sort(table.symbols_.begin(), table.symbols_.end(),
                   [](const Entry& a, const Entry& b) { return a.address < b.address; });
  return table;
}

Result<KernelSymbols> KernelSymbols::load(const std::string& path) {
  auto text = read_file_bounded(path, kMaxKallsymsBytes);
  if (!text) return text.error().with_context("kernel symbols");
  return parse(*text);
}

std::optional<KernelSymbol> KernelSymbols::find(uint64_t address) const {
  const Entry* e =
      last_starting_at_or_below(symbols_, address, [](const Entry& s) { return s.address; });
  if (e == nullptr || address - e->address >= kMaxSymbolSpan) return std::nullopt;
  KernelSymbol sym;
  sym.name = std::string_view(names_).substr(e->name_offset, e->name_length);
  sym.module = modules_[e->module_index];
  sym.start = e->address;
  sym.offset = address - e->address;
  return sym;
}

}  // namespace kscope
