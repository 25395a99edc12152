// The kinds of alert rule: which of ThresholdRule, SloRule, AnomalyRule
// (config/alerts_config.h) a RuleConfig holds, in the order of its variant.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace kscope {

enum class RuleKind { kThreshold, kSlo, kAnomaly };

inline constexpr EnumNames<RuleKind, 3> kRuleKindNames = {{
    {RuleKind::kThreshold, "threshold"},
    {RuleKind::kSlo, "slo"},
    {RuleKind::kAnomaly, "anomaly"},
}};

constexpr std::optional<RuleKind> parse_rule_kind(std::string_view s) { return parse_enum(kRuleKindNames, s); }
constexpr std::string_view to_string(RuleKind k) { return enum_name(kRuleKindNames, k); }

}  // namespace kscope
