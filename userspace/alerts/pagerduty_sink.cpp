// The pagerduty sink: Events API v2 events, one per alert of a batch (see
// pagerduty_event.h), POSTed in order; the batch is retried whole, which is
// safe: PagerDuty dedups a trigger or resolve by its dedup_key.
#include "alerts/channel_sinks.h"
#include "net/http_client.h"
#include "alerts/pagerduty_event.h"

namespace kscope {
namespace {

class PagerDutyTransport final : public SinkTransport {
 public:
  PagerDutyTransport(SinkConfig c, MessageLinks links, std::string key)
      : c_(std::move(c)), links_(std::move(links)), key_(std::move(key)) {}
  Status deliver(const std::vector<Notification>& batch) override {
    for (const auto& event : pagerduty_events(batch, key_, links_)) {
      Status st = http_post_expect_2xx(c_.url, c_.url, event, {}, c_.timeout, {c_.ca_file, c_.tls_insecure});
      if (!st) return st;
    }
    return ok_status();
  }
  size_t max_batch() const override { return kChannelMaxBatch; }

 private:
  SinkConfig c_;
  MessageLinks links_;
  std::string key_;
};

}  // namespace

Result<std::unique_ptr<SinkTransport>> make_pagerduty_transport(const SinkConfig& c, const std::string& dashboard) {
  auto key = read_sink_secret(c, c.routing_key_file, c.routing_key_env, "routing key");
  if (!key) return key.error();
  return std::unique_ptr<SinkTransport>(std::make_unique<PagerDutyTransport>(c, sink_links(c, dashboard), *key));
}

}  // namespace kscope
