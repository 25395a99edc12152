// What an alert rule watches (`scope:`): each breakdown target, or the host.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace kscope {

enum class RuleScope { kTargets, kHost };

inline constexpr EnumNames<RuleScope, 2> kRuleScopeNames = {{
    {RuleScope::kTargets, "targets"},
    {RuleScope::kHost, "host"},
}};

constexpr std::optional<RuleScope> parse_rule_scope(std::string_view s) { return parse_enum(kRuleScopeNames, s); }
constexpr std::string_view to_string(RuleScope s) { return enum_name(kRuleScopeNames, s); }

}  // namespace kscope
