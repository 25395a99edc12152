#include "host/loadavg.h"

#include "host/text_fields.h"

namespace kscope::host {

std::optional<LoadAvg> parse_loadavg(std::string_view text) {
  std::string_view rest = text.substr(0, text.find('\n'));
  auto a = parse_double(next_field(rest));
  auto b = parse_double(next_field(rest));
  auto c = parse_double(next_field(rest));
  if (!a || !b || !c) return std::nullopt;
  return LoadAvg{*a, *b, *c};
}

}  // namespace kscope::host
