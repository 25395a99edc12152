// The machine-facing sinks: the log, a JSON webhook, Alertmanager's v2 API;
// and make_sink_transport, which also builds the channels to people
// (alerts/channel_sinks.h).
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "alerts/channel_sinks.h"
#include "net/http_client.h"
#include "alerts/payloads.h"
#include "alerts/sink.h"

namespace kscope {
namespace {

class LogTransport final : public SinkTransport {
 public:
  Status deliver(const std::vector<Notification>& batch) override {
    for (const auto& n : batch) {
      if (n.kind == Notification::Kind::kFiring) spdlog::warn("{}", log_line(n));
      else spdlog::info("{}", log_line(n));
    }
    return ok_status();
  }
};

Status post(const SinkConfig& c, const std::string& url, const std::string& body,
            const std::vector<std::string>& headers) {
  return http_post_expect_2xx(url, url, body, headers, c.timeout, {c.ca_file, c.tls_insecure});
}

class WebhookTransport final : public SinkTransport {
 public:
  WebhookTransport(SinkConfig c, std::vector<std::string> headers) : c_(std::move(c)), headers_(std::move(headers)) {}
  Status deliver(const std::vector<Notification>& batch) override {
    std::string body = c_.format == WebhookFormat::kSlack ? slack_payload(batch) : webhook_payload(batch, c_.name);
    return post(c_, c_.url, body, headers_);
  }

 private:
  SinkConfig c_;
  std::vector<std::string> headers_;
};

class AlertmanagerTransport final : public SinkTransport {
 public:
  AlertmanagerTransport(SinkConfig c, std::vector<std::string> headers, Nanos resend)
      : c_(std::move(c)), headers_(std::move(headers)), resend_(resend) {
    url_ = c_.url;
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
    url_ += "/api/v2/alerts";
  }
  Status deliver(const std::vector<Notification>& batch) override {
    return post(c_, url_, alertmanager_payload(batch, std::chrono::system_clock::now(), resend_), headers_);
  }
  bool wants_refresh() const override { return true; }
  size_t max_batch() const override { return 64; }

 private:
  SinkConfig c_;
  std::vector<std::string> headers_;
  Nanos resend_;
  std::string url_;
};

}  // namespace

Result<std::unique_ptr<SinkTransport>> make_sink_transport(const SinkConfig& c, Nanos resend_interval,
                                                           const std::string& dashboard) {
  switch (c.type) {
    case SinkType::kEmail: return make_email_transport(c, dashboard);
    case SinkType::kSlack: return make_slack_transport(c, dashboard);
    case SinkType::kDiscord: return make_discord_transport(c, dashboard);
    case SinkType::kTeams: return make_teams_transport(c, dashboard);
    case SinkType::kPagerDuty: return make_pagerduty_transport(c, dashboard);
    case SinkType::kLog: return std::unique_ptr<SinkTransport>(std::make_unique<LogTransport>());
    case SinkType::kWebhook:
    case SinkType::kAlertmanager: break;  // below, with their bearer token
  }
  std::vector<std::string> headers;
  if (!c.token_env.empty()) {
    const char* token = std::getenv(c.token_env.c_str());
    if (token == nullptr || *token == '\0') {
      return Error("sink " + c.name + ": token_env names " + c.token_env + ", which is not set or empty",
                   "export the token in kscope's environment or remove token_env");
    }
    headers.push_back(std::string("Authorization: Bearer ") + token);
  }
  std::unique_ptr<SinkTransport> t;
  if (c.type == SinkType::kWebhook) t = std::make_unique<WebhookTransport>(c, headers);
  else t = std::make_unique<AlertmanagerTransport>(c, headers, resend_interval);
  return t;
}

}  // namespace kscope
