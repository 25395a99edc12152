// The slack sink: one Slack message per batch, POSTed to its incoming webhook.
#include "alerts/channel_sinks.h"
#include "alerts/chat_messages.h"
#include "net/http_client.h"

namespace kscope {
namespace {

class SlackTransport final : public SinkTransport {
 public:
  SlackTransport(SinkConfig c, MessageLinks links) : c_(std::move(c)), links_(std::move(links)), shown_(redact_url(c_.url)) {}
  Status deliver(const std::vector<Notification>& batch) override {
    return http_post_expect_2xx(c_.url, shown_, slack_message(batch, links_), {}, c_.timeout, {c_.ca_file, c_.tls_insecure});
  }
  size_t max_batch() const override { return kChannelMaxBatch; }

 private:
  SinkConfig c_;
  MessageLinks links_;
  std::string shown_;  // the webhook URL's path is its secret
};

}  // namespace

Result<std::unique_ptr<SinkTransport>> make_slack_transport(const SinkConfig& c, const std::string& dashboard) {
  return std::unique_ptr<SinkTransport>(std::make_unique<SlackTransport>(c, sink_links(c, dashboard)));
}

}  // namespace kscope
