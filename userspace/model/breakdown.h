// What kscope breaks its per-target series down by (config `breakdown:`).
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace kscope {

enum class Breakdown { kComm, kCgroup, kNone };

inline constexpr EnumNames<Breakdown, 3> kBreakdownNames = {{
    {Breakdown::kComm, "comm"},
    {Breakdown::kCgroup, "cgroup"},
    {Breakdown::kNone, "none"},
}};

constexpr std::optional<Breakdown> parse_breakdown(std::string_view s) { return parse_enum(kBreakdownNames, s); }
constexpr std::string_view to_string(Breakdown b) { return enum_name(kBreakdownNames, b); }

// The label series carry the target in: "comm", "cgroup", or "" for none
// (host-wide series only).
constexpr std::string_view breakdown_label(Breakdown b) { return b == Breakdown::kNone ? "" : to_string(b); }

}  // namespace kscope
