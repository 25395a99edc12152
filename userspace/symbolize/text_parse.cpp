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
  size_t start = rest.find_first_not_of(" \t");
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  size_t end = rest.find_first_of(" \t");
  std::string_view field = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  size_t next = rest.find_first_not_of(" \t");
  rest.remove_prefix(next == std::string_view::npos ? rest.size() : next);
  return field;
}

std::string hex_string(uint64_t value) { return fmt::format("0x{:x}", value); }

}  // namespace kscope
