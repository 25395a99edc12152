// The JSON bodies of the chat channels, one message per batch (a batch is
// one group of alerts): Slack's incoming webhook with Block Kit blocks,
// Discord's webhook with embeds, and Microsoft Teams' incoming webhook with
// an Adaptive Card. Each respects its service's published limits (blocks,
// embeds, field lengths); alerts past what one message holds are counted in
// an "…and N more" line, never split into a second message.
#pragma once

#include <string>
#include <vector>

#include "alerts/alert.h"
#include "alerts/message.h"

namespace kscope {

// Slack (api.slack.com/reference/block-kit): {"text": fallback, "blocks":
// [header, per alert a section (title, summary, fields value / since /
// host / labels) and a context of links, actions with the dashboard]}. At
// most 50 blocks; mrkdwn text has & < > escaped.
std::string slack_message(const std::vector<Notification>& batch, const MessageLinks& links);
inline constexpr size_t kSlackMaxAlerts = 20;

// Discord (discord.com/developers/docs/resources/webhook#execute-webhook):
// {"username", "content", "allowed_mentions": {"parse": []}, "embeds": [one
// per alert: title, url, description, color, fields, timestamp, footer]}.
// Limits: content 2000, 10 embeds, title 256, description 4096, 25 fields,
// field name 256 and value 1024, 6000 characters over all embeds.
std::string discord_message(const std::vector<Notification>& batch, const MessageLinks& links);
inline constexpr size_t kDiscordMaxEmbeds = 10;
inline constexpr size_t kDiscordMaxEmbedChars = 6000;

// Teams (learn.microsoft.com, "Create incoming webhooks", Adaptive Card
// 1.4): {"type": "message", "attachments": [{"contentType":
// "application/vnd.microsoft.card.adaptive", "content": {AdaptiveCard: a
// title TextBlock, per alert a TextBlock and a FactSet, Action.OpenUrl for
// the dashboard and flame graphs}}]}. Kept under Teams' 28 KB.
std::string teams_message(const std::vector<Notification>& batch, const MessageLinks& links);
inline constexpr size_t kTeamsMaxAlerts = 20;
inline constexpr size_t kTeamsMaxBytes = 20000;  // alerts stop being added past this

}  // namespace kscope
