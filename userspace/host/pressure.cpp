#include "host/pressure.h"

#include "host/text_fields.h"

namespace kscope::host {

Pressure parse_pressure(std::string_view text) {
  Pressure out;
  for_each_line(text, 8, [&](std::string_view line) {
    std::string_view rest = line;
    std::string_view kind = next_field(rest);
    std::optional<uint64_t>* slot = kind == "some" ? &out.some_total_us : kind == "full" ? &out.full_total_us : nullptr;
    if (slot == nullptr) return;
    for (auto f = next_field(rest); !f.empty(); f = next_field(rest)) {
      if (f.starts_with("total=")) *slot = parse_u64(f.substr(6));
    }
  });
  return out;
}

}  // namespace kscope::host
