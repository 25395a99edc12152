#include "host/text_fields.h"

namespace kscope::host {
namespace {

template <class T>
std::optional<T> parse_whole(std::string_view text) {
  T v{};
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<uint64_t> parse_u64(std::string_view text) { return parse_whole<uint64_t>(text); }
std::optional<int64_t> parse_i64(std::string_view text) { return parse_whole<int64_t>(text); }
std::optional<double> parse_double(std::string_view text) { return parse_whole<double>(text); }

std::string_view next_field(std::string_view& rest) {
  size_t i = 0;
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
  size_t start = i;
  while (i < rest.size() && rest[i] != ' ' && rest[i] != '\t') ++i;
  std::string_view field = rest.substr(start, i - start);
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
  rest.remove_prefix(i);
  return field;
}

}  // namespace kscope::host
