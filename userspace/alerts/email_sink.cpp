// The email sink: one message per batch through an SMTP server.
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "alerts/channel_sinks.h"
#include "alerts/email_message.h"
#include "alerts/smtp_client.h"

namespace kscope {
namespace {

class EmailTransport final : public SinkTransport {
 public:
  EmailTransport(SinkConfig c, MessageLinks links, SmtpRequest req)
      : c_(std::move(c)), links_(std::move(links)), req_(std::move(req)) {
    headers_.from = c_.from;
    headers_.to = c_.to;
    std::string addr = bare_address(c_.from);
    headers_.id_domain = addr.substr(addr.find('@') + 1);
  }

  Status deliver(const std::vector<Notification>& batch) override {
    EmailHeaders h = headers_;
    h.date = std::chrono::system_clock::now();
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(h.date.time_since_epoch()).count();
    h.unique = std::to_string(us) + "." + std::to_string(getpid()) + "." + std::to_string(++seq_);
    return smtp_send(req_, email_message(batch, links_, h));
  }
  size_t max_batch() const override { return kChannelMaxBatch; }

 private:
  SinkConfig c_;
  MessageLinks links_;
  SmtpRequest req_;
  EmailHeaders headers_;
  uint64_t seq_ = 0;  // worker thread only
};

}  // namespace

Result<std::unique_ptr<SinkTransport>> make_email_transport(const SinkConfig& c, const std::string& dashboard) {
  SmtpRequest req;
  req.url = c.url;
  req.starttls = c.starttls;
  req.tls = {c.ca_file, c.tls_insecure};
  req.from = bare_address(c.from);
  req.to = c.to;
  req.timeout = c.timeout;
  if (!c.username.empty()) {
    auto pw = read_sink_secret(c, c.password_file, c.password_env, "SMTP password");
    if (!pw) return pw.error();
    req.username = c.username;
    req.password = *pw;
  }
  return std::unique_ptr<SinkTransport>(std::make_unique<EmailTransport>(c, sink_links(c, dashboard), std::move(req)));
}

}  // namespace kscope
