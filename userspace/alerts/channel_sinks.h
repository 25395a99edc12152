// The transports of the channels that speak to people: email (SMTP), Slack,
// Discord, Microsoft Teams and PagerDuty. Each renders a batch (one group of
// alerts) as one message with its *_message function and sends it; secrets
// (SMTP password, PagerDuty routing key) are read here, once, from a file or
// an environment variable, never from the config. make_sink_transport
// (alerts/sink.h) picks one by the sink's type.
#pragma once

#include <memory>
#include <string>

#include "alerts/message.h"
#include "alerts/sink.h"

namespace kscope {

// dashboard: the base URL of kscope's dashboard for links (the sink's
// dashboard_url wins over it).
Result<std::unique_ptr<SinkTransport>> make_email_transport(const SinkConfig& c, const std::string& dashboard);
Result<std::unique_ptr<SinkTransport>> make_slack_transport(const SinkConfig& c, const std::string& dashboard);
Result<std::unique_ptr<SinkTransport>> make_discord_transport(const SinkConfig& c, const std::string& dashboard);
Result<std::unique_ptr<SinkTransport>> make_teams_transport(const SinkConfig& c, const std::string& dashboard);
Result<std::unique_ptr<SinkTransport>> make_pagerduty_transport(const SinkConfig& c, const std::string& dashboard);

// The links of a sink's messages: its dashboard_url, else `dashboard`,
// without a trailing slash.
MessageLinks sink_links(const SinkConfig& c, const std::string& dashboard);

// A secret from the first line of `file`, else the variable `env`; an error
// names the sink and the field, never the value.
Result<std::string> read_sink_secret(const SinkConfig& c, const std::string& file, const std::string& env,
                                     const char* what);

// How many alerts a chat message lists at most: the worker hands over up
// to this many at once.
inline constexpr size_t kChannelMaxBatch = 64;

}  // namespace kscope
