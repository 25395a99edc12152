// The body a webhook sink posts (`format:`): kscope's JSON or Slack's.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace kscope {

enum class WebhookFormat { kJson, kSlack };

inline constexpr EnumNames<WebhookFormat, 2> kWebhookFormatNames = {{
    {WebhookFormat::kJson, "json"},
    {WebhookFormat::kSlack, "slack"},
}};

constexpr std::optional<WebhookFormat> parse_webhook_format(std::string_view s) {
  return parse_enum(kWebhookFormatNames, s);
}
constexpr std::string_view to_string(WebhookFormat f) { return enum_name(kWebhookFormatNames, f); }

}  // namespace kscope
