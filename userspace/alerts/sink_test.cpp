#include "alerts/sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "alerts/payloads.h"
#include "export/http_server.h"

namespace kscope {
namespace {

using ::testing::HasSubstr;

Notification firing(const std::string& severity = "critical") {
  Notification n;
  n.kind = Notification::Kind::kFiring;
  n.alert.rule = "OpenErrors";
  n.alert.severity = *parse_severity(severity);
  n.alert.target = "we\"b\xff";
  n.alert.labels = {{"alertname", "OpenErrors"}, {"comm", "we\"b\xff"}, {"severity", severity}};
  n.alert.annotations = {{"summary", "<b>fails</b> & more"}};
  n.alert.fired_at = std::chrono::system_clock::from_time_t(1800000000);
  n.alert.generator_url = "http://kscope:9494/api/v1/alerts?rule=OpenErrors";
  n.alert.fingerprint = 0xabc;
  return n;
}

// A receiver on loopback that fails the first `failures` requests with 503.
class Receiver {
 public:
  explicit Receiver(int failures) : failures_(failures) {
    HttpServerOptions o;
    o.listen = "127.0.0.1:0";
    server_ = HttpServer::start(o).value();
    server_->route("/hook", [this](const HttpRequest& req) {
      std::lock_guard lock(mu_);
      ++requests_;
      auth_ = req.headers.count("authorization") ? req.headers.at("authorization") : "";
      if (failures_ > 0) {
        --failures_;
        return HttpResponse::json_error(503, "down");
      }
      bodies_.push_back(req.body);
      return HttpResponse::json("{}");
    });
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook"; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  int requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::string auth() {
    std::lock_guard lock(mu_);
    return auth_;
  }

 private:
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  int failures_;
  int requests_ = 0;
  std::string auth_;
  std::vector<std::string> bodies_;
};

SinkConfig webhook(const std::string& url) {
  SinkConfig c;
  c.name = "hook";
  c.type = SinkType::kWebhook;
  c.url = url;
  c.backoff = std::chrono::milliseconds(20);
  c.retries = 3;
  c.timeout = std::chrono::seconds(2);
  return c;
}

TEST(WebhookSink, RetriesUntilTheReceiverAnswersAndSendsTheToken) {
  Receiver rx(2);
  setenv("KSCOPE_TEST_HOOK_TOKEN", "s3cret", 1);
  SinkConfig c = webhook(rx.url());
  c.token_env = "KSCOPE_TEST_HOOK_TOKEN";
  auto t = make_sink_transport(c, std::chrono::minutes(1));
  ASSERT_TRUE(t) << t.error().to_string();
  SinkWorker w(c, std::move(*t));
  ASSERT_TRUE(w.enqueue(firing()));
  ASSERT_TRUE(w.wait_idle(std::chrono::seconds(10)));
  EXPECT_EQ(rx.requests(), 3);
  ASSERT_EQ(rx.bodies().size(), 1u);
  EXPECT_EQ(rx.auth(), "Bearer s3cret");
  auto j = nlohmann::json::parse(rx.bodies()[0]);
  EXPECT_EQ(j["status"], "firing");
  EXPECT_EQ(j["receiver"], "hook");
  EXPECT_EQ(j["alerts"][0]["labels"]["comm"], "we\"b\xEF\xBF\xBD");
  EXPECT_EQ(j["alerts"][0]["startsAt"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(j["alerts"][0]["fingerprint"], "0000000000000abc");
  SinkStats s = w.stats();
  EXPECT_TRUE(s.up);
  EXPECT_EQ(s.sent, 1u);
  EXPECT_EQ(s.retries, 2u);
  EXPECT_EQ(s.failed, 0u);
}

TEST(WebhookSink, GivesUpAfterRetriesAndReportsDown) {
  Receiver rx(100);
  SinkConfig c = webhook(rx.url());
  c.retries = 2;
  SinkWorker w(c, make_sink_transport(c, std::chrono::minutes(1)).value());
  w.enqueue(firing());
  ASSERT_TRUE(w.wait_idle(std::chrono::seconds(10)));
  SinkStats s = w.stats();
  EXPECT_FALSE(s.up);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.retries, 2u);
  EXPECT_EQ(rx.requests(), 3);
  EXPECT_THAT(s.last_error, HasSubstr("HTTP 503"));
}

TEST(WebhookSink, ARefusedConnectionIsAnErrorNotACrash) {
  SinkConfig c = webhook("http://127.0.0.1:1/hook");
  c.retries = 0;
  SinkWorker w(c, make_sink_transport(c, std::chrono::minutes(1)).value());
  w.enqueue(firing());
  ASSERT_TRUE(w.wait_idle(std::chrono::seconds(10)));
  EXPECT_FALSE(w.stats().up);
  EXPECT_EQ(w.stats().failed, 1u);
}

// A transport that blocks until released, to fill the queue.
class BlockingTransport : public SinkTransport {
 public:
  Status deliver(const std::vector<Notification>& batch) override {
    std::unique_lock lock(mu);
    cv.wait(lock, [this] { return released; });
    delivered += batch.size();
    return ok_status();
  }
  void release() {
    std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  }
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  size_t delivered = 0;
};

TEST(SinkWorker, AFullQueueDropsAndCountsWithoutBlocking) {
  SinkConfig c = webhook("http://unused");
  c.queue_size = 3;
  auto t = std::make_unique<BlockingTransport>();
  BlockingTransport* bt = t.get();
  SinkWorker w(c, std::move(t));
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += w.enqueue(firing());
  // One is in flight (maybe), three wait; the rest are dropped.
  EXPECT_GE(accepted, 3);
  EXPECT_LE(accepted, 4);
  EXPECT_EQ(w.stats().dropped, uint64_t(10 - accepted));
  bt->release();
  ASSERT_TRUE(w.wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(w.stats().sent, uint64_t(accepted));
}

TEST(SinkWorker, SkipsRefreshesAndLowSeverityForChangeOnlySinks) {
  SinkConfig c = webhook("http://unused");
  c.min_severity = Severity::kCritical;
  auto t = std::make_unique<BlockingTransport>();
  t->released = true;
  SinkWorker w(c, std::move(t));
  Notification refresh = firing();
  refresh.kind = Notification::Kind::kRefresh;
  EXPECT_TRUE(w.enqueue(refresh));
  EXPECT_TRUE(w.enqueue(firing("warning")));
  EXPECT_TRUE(w.enqueue(firing("emergency")));
  ASSERT_TRUE(w.wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(w.stats().sent, 1u);
}

TEST(SinkConfig, UnsetTokenEnvIsAnError) {
  SinkConfig c = webhook("http://x");
  c.token_env = "KSCOPE_TEST_SURELY_UNSET";
  auto t = make_sink_transport(c, std::chrono::minutes(1));
  ASSERT_FALSE(t);
  EXPECT_THAT(t.error().message(), HasSubstr("KSCOPE_TEST_SURELY_UNSET"));
}

TEST(Payloads, AlertmanagerV2) {
  Notification f = firing();
  Notification r = firing();
  r.kind = Notification::Kind::kResolved;
  r.alert.resolved_at = std::chrono::system_clock::from_time_t(1800000060);
  auto now = std::chrono::system_clock::from_time_t(1800000030);
  auto j = nlohmann::json::parse(alertmanager_payload({f, r}, now, std::chrono::seconds(60)));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["startsAt"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(j[0]["endsAt"], "2027-01-15T08:04:30.000Z");  // now + 4 x resend
  EXPECT_EQ(j[1]["endsAt"], "2027-01-15T08:01:00.000Z");
  EXPECT_EQ(j[0]["labels"]["alertname"], "OpenErrors");
  EXPECT_EQ(j[0]["annotations"]["summary"], "<b>fails</b> & more");
  EXPECT_EQ(j[0]["generatorURL"], "http://kscope:9494/api/v1/alerts?rule=OpenErrors");
}

TEST(Payloads, SlackEscapesControlCharacters) {
  auto j = nlohmann::json::parse(slack_payload({firing()}));
  EXPECT_EQ(j["text"], "[FIRING] OpenErrors (critical) on we\"b\xEF\xBF\xBD: &lt;b&gt;fails&lt;/b&gt; &amp; more");
}

TEST(Payloads, LogLineIsOneLine) {
  Notification n = firing();
  n.alert.annotations = {{"summary", "two\nlines"}, {"value", "5/s"}};
  std::string line = log_line(n);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_THAT(line, HasSubstr("alert=OpenErrors state=firing severity=critical"));
  EXPECT_THAT(line, HasSubstr("value=5/s"));
}

}  // namespace
}  // namespace kscope
