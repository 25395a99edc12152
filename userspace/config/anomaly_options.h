// An anomaly rule's baseline (`method:`) and which deviations count
// (`direction:`).
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace kscope {

enum class AnomalyMethod { kEwma, kZscore };
enum class AnomalyDirection { kUp, kDown, kBoth };

inline constexpr EnumNames<AnomalyMethod, 2> kAnomalyMethodNames = {{
    {AnomalyMethod::kEwma, "ewma"},
    {AnomalyMethod::kZscore, "zscore"},
}};
inline constexpr EnumNames<AnomalyDirection, 3> kAnomalyDirectionNames = {{
    {AnomalyDirection::kUp, "up"},
    {AnomalyDirection::kDown, "down"},
    {AnomalyDirection::kBoth, "both"},
}};

constexpr std::optional<AnomalyMethod> parse_anomaly_method(std::string_view s) {
  return parse_enum(kAnomalyMethodNames, s);
}
constexpr std::string_view to_string(AnomalyMethod m) { return enum_name(kAnomalyMethodNames, m); }
constexpr std::optional<AnomalyDirection> parse_anomaly_direction(std::string_view s) {
  return parse_enum(kAnomalyDirectionNames, s);
}
constexpr std::string_view to_string(AnomalyDirection d) { return enum_name(kAnomalyDirectionNames, d); }

}  // namespace kscope
