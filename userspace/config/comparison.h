// How a threshold rule compares its value with the threshold.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace kscope {

enum class Comparison { kAbove, kAtOrAbove, kBelow, kAtOrBelow };

// The symbols are the names printed; the words are what YAML users may write
// instead of quoting a symbol (op: above).
inline constexpr EnumNames<Comparison, 4> kComparisonNames = {{
    {Comparison::kAbove, ">"},
    {Comparison::kAtOrAbove, ">="},
    {Comparison::kBelow, "<"},
    {Comparison::kAtOrBelow, "<="},
}};
inline constexpr EnumNames<Comparison, 6> kComparisonWords = {{
    {Comparison::kAbove, "above"},
    {Comparison::kAbove, "gt"},
    {Comparison::kAtOrAbove, "ge"},
    {Comparison::kBelow, "below"},
    {Comparison::kBelow, "lt"},
    {Comparison::kAtOrBelow, "le"},
}};

constexpr std::optional<Comparison> parse_comparison(std::string_view s) {
  if (auto c = parse_enum(kComparisonNames, s)) return c;
  return parse_enum(kComparisonWords, s);
}
constexpr std::string_view to_string(Comparison c) { return enum_name(kComparisonNames, c); }

// > and >=: the alert fires when the value rises past the threshold.
constexpr bool fires_above(Comparison c) { return c == Comparison::kAbove || c == Comparison::kAtOrAbove; }
// >= and <=: a value equal to the threshold breaches it.
constexpr bool inclusive(Comparison c) { return c == Comparison::kAtOrAbove || c == Comparison::kAtOrBelow; }

}  // namespace kscope
