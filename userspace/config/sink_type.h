// Where an alert sink delivers: what `type:` of a sink names.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace kscope {

enum class SinkType { kLog, kWebhook, kAlertmanager, kEmail, kSlack, kDiscord, kTeams, kPagerDuty };

inline constexpr EnumNames<SinkType, 8> kSinkTypeNames = {{
    {SinkType::kLog, "log"},
    {SinkType::kWebhook, "webhook"},
    {SinkType::kAlertmanager, "alertmanager"},
    {SinkType::kEmail, "email"},
    {SinkType::kSlack, "slack"},
    {SinkType::kDiscord, "discord"},
    {SinkType::kTeams, "teams"},
    {SinkType::kPagerDuty, "pagerduty"},
}};

constexpr std::optional<SinkType> parse_sink_type(std::string_view s) { return parse_enum(kSinkTypeNames, s); }
constexpr std::string_view to_string(SinkType t) { return enum_name(kSinkTypeNames, t); }

// The sinks that POST to an http:// or https:// URL.
constexpr bool posts_to_http_url(SinkType t) {
  return t != SinkType::kLog && t != SinkType::kEmail;
}

}  // namespace kscope
