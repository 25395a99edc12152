// The one table that names an enum's values in the config (and everywhere
// they are printed: JSON, labels, payloads). Each vocabulary header
// (severity.h, comparison.h, ...) declares its table once and derives its
// parse_X and to_string from it, so the two can never disagree.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kscope {

template <typename E, std::size_t N>
using EnumNames = std::array<std::pair<E, std::string_view>, N>;

// The value named `text` exactly (case-sensitive, as YAML keys are); nullopt
// for anything else.
template <typename E, std::size_t N>
constexpr std::optional<E> parse_enum(const EnumNames<E, N>& names, std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

// The name of `value`; every value of E is in its table (a unit test
// round-trips each), "" only for a value cast from outside the enum.
template <typename E, std::size_t N>
constexpr std::string_view enum_name(const EnumNames<E, N>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return {};
}

// The names as strings, for YamlSection::read_enum's list of allowed words.
template <typename E, std::size_t N>
std::vector<std::string> enum_name_strings(const EnumNames<E, N>& names) {
  std::vector<std::string> out;
  for (const auto& [value, name] : names) out.emplace_back(name);
  return out;
}

// "a, b, c": the allowed values, in table order, for error messages.
template <typename E, std::size_t N>
std::string enum_name_list(const EnumNames<E, N>& names) {
  std::string out;
  for (const auto& [value, name] : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace kscope
