// The chat sinks, Slack, Discord and Teams: one message per batch, rendered
// by the service's own function (chat_messages.h) and POSTed to its
// incoming webhook. They differ only in the rendering.
#include "alerts/channel_sinks.h"
#include "alerts/chat_messages.h"
#include "net/http_client.h"

namespace kscope {
namespace {

using Render = std::string (*)(const std::vector<Notification>&, const MessageLinks&);

class ChatTransport final : public SinkTransport {
 public:
  ChatTransport(SinkConfig c, MessageLinks links, Render render)
      : c_(std::move(c)), links_(std::move(links)), render_(render), shown_(redact_url(c_.url)) {}
  Status deliver(const std::vector<Notification>& batch) override {
    return http_post_expect_2xx(c_.url, shown_, render_(batch, links_), {}, c_.timeout, {c_.ca_file, c_.tls_insecure});
  }
  size_t max_batch() const override { return kChannelMaxBatch; }

 private:
  SinkConfig c_;
  MessageLinks links_;
  Render render_;
  std::string shown_;  // the webhook URL's path is its secret
};

Result<std::unique_ptr<SinkTransport>> make_chat(const SinkConfig& c, const std::string& dashboard, Render render) {
  return std::unique_ptr<SinkTransport>(std::make_unique<ChatTransport>(c, sink_links(c, dashboard), render));
}

}  // namespace

Result<std::unique_ptr<SinkTransport>> make_slack_transport(const SinkConfig& c, const std::string& dashboard) {
  return make_chat(c, dashboard, &slack_message);
}

Result<std::unique_ptr<SinkTransport>> make_discord_transport(const SinkConfig& c, const std::string& dashboard) {
  return make_chat(c, dashboard, &discord_message);
}

Result<std::unique_ptr<SinkTransport>> make_teams_transport(const SinkConfig& c, const std::string& dashboard) {
  return make_chat(c, dashboard, &teams_message);
}

}  // namespace kscope
