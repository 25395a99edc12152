// An alert rule's severity, in rising order: a sink's or a route's
// min_severity compares with <.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace kscope {

enum class Severity { kInfo, kWarning, kCritical, kEmergency };

inline constexpr EnumNames<Severity, 4> kSeverityNames = {{
    {Severity::kInfo, "info"},
    {Severity::kWarning, "warning"},
    {Severity::kCritical, "critical"},
    {Severity::kEmergency, "emergency"},
}};

constexpr std::optional<Severity> parse_severity(std::string_view s) { return parse_enum(kSeverityNames, s); }
constexpr std::string_view to_string(Severity s) { return enum_name(kSeverityNames, s); }

}  // namespace kscope
