#include "symbolize/text_parse.h"

#include <fmt/format.h>

#include <charconv>

namespace kscope {

std::optional<uint64_t> parse_hex(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view next_field(std::string_view& rest) {
  // A plain loop: find_first_of calls memchr per character, which showed up
  // as the top cost of parsing /proc/kallsyms.
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  size_t i = 0;
  while (i < rest.size() && blank(rest[i])) ++i;
  size_t start = i;
  while (i < rest.size() && !blank(rest[i])) ++i;
  std::string_view field = rest.substr(start, i - start);
  while (i < rest.size() && blank(rest[i])) ++i;
  rest.remove_prefix(i);
  return field;
}

std::string hex_string(uint64_t value) { return fmt::format("0x{:x}", value); }

}  // namespace kscope
