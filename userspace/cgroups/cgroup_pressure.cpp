#include "cgroups/cgroup_pressure.h"

#include "cgroups/cgroup_text.h"

namespace kscope {

Pressure parse_pressure(std::string_view text) {
  Pressure p;
  for (int lines = 0; !text.empty() && lines < 8; ++lines) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::optional<uint64_t>* slot = line.starts_with("some ") ? &p.some_usec
                                    : line.starts_with("full ") ? &p.full_usec
                                                                : nullptr;
    if (slot == nullptr) continue;
    size_t at = line.find(" total=");
    if (at == std::string_view::npos) continue;
    std::string_view rest = line.substr(at + 7);
    *slot = cgroup_text_detail::to_u64(rest.substr(0, rest.find(' ')));
  }
  return p;
}

}  // namespace kscope
