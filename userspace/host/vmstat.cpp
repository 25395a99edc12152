#include "host/vmstat.h"

#include "host/text_fields.h"

namespace kscope::host {

bool vmstat_field_exported(std::string_view name) {
  if (name.starts_with("oom_kill") || name.starts_with("pgpg") || name.starts_with("pswp")) return true;
  return name.starts_with("pg") && name.find("fault", 2) != std::string_view::npos;
}

std::vector<VmstatField> parse_vmstat(std::string_view text) {
  std::vector<VmstatField> out;
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    if (out.size() >= 64) return;
    std::string_view rest = line;
    std::string_view name = next_field(rest);
    if (name.size() > 64 || !vmstat_field_exported(name)) return;
    for (char c : name) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return;
    }
    auto v = parse_u64(next_field(rest));
    if (v) out.push_back({std::string(name), double(*v)});
  });
  return out;
}

}  // namespace kscope::host
