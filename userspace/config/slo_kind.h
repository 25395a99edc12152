// What an SLO rule counts as bad: slow observations or failed ones.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace kscope {

enum class SloKind { kLatency, kErrors };

inline constexpr EnumNames<SloKind, 2> kSloKindNames = {{
    {SloKind::kLatency, "latency"},
    {SloKind::kErrors, "errors"},
}};

constexpr std::optional<SloKind> parse_slo_kind(std::string_view s) { return parse_enum(kSloKindNames, s); }
constexpr std::string_view to_string(SloKind k) { return enum_name(kSloKindNames, k); }

}  // namespace kscope
