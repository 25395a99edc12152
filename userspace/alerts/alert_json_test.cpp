#include "alerts/alert_json.h"

#include <gtest/gtest.h>

#include "alerts/alert_engine.h"
#include "alerts/payloads.h"
#include "signals/fake_host.h"
#include "signals/signals_engine.h"

namespace kscope {
namespace {

using testing::FakeHost;

// A rule driven through the real engine, so the JSON shows what the engine
// records (value, threshold, unit, times), not hand-made fields.
struct Driven {
  FakeHost host;
  SignalsEngine signals{SignalsOptions{"comm", {}, false, 99, 1}};
  AlertEngine engine{AlertEngineOptions{"comm", "testhost", "http://kscope:9494"}};

  explicit Driven(const RuleConfig& rule) {
    engine.set_rules({rule}, host.wall());
    signals.update(host.snapshot());
  }
  void tick(int seconds) {
    signals.update(host.snapshot(seconds), [&](const IntervalPair& p, const Signals& s) {
      engine.evaluate(EvalContext{p, s, p.current.taken_steady}, p.current.taken_at);
    });
  }
  nlohmann::json only_alert() {
    auto alerts = engine.alerts();
    EXPECT_EQ(alerts.size(), 1u);
    return alerts.empty() ? nlohmann::json() : nlohmann::json::parse(alert_json(alerts[0]).dump());
  }
};

RuleConfig runq_rule() {
  RuleConfig r = AlertsConfig::default_alert_rules()[1];
  EXPECT_EQ(r.name, "RunQueueLatencyHigh");
  return r;  // 50ms, for: 2m
}

TEST(AlertJson, PendingCardHasValueThresholdInTheRuleUnitAndSince) {
  Driven d(runq_rule());
  d.host.runq_waits("db<script>", 100, 80'000'000);
  d.tick(10);
  const auto pending_at = rfc3339(d.host.wall());
  auto j = d.only_alert();
  EXPECT_EQ(j["state"], "pending");
  EXPECT_EQ(j["target"], "db<script>");  // raw in JSON; the dashboard sets it as text
  EXPECT_EQ(j["kernel"], false);
  EXPECT_EQ(j["unit"], "duration");
  EXPECT_EQ(j["threshold_text"], "50ms");
  EXPECT_NEAR(j["value"].get<double>(), 0.08, 0.01);
  std::string v = j["value_text"];
  EXPECT_TRUE(v.starts_with("8") && v.ends_with("ms")) << v;
  EXPECT_EQ(j["since"], pending_at);
  EXPECT_EQ(j["activeAt"], pending_at);
  EXPECT_TRUE(j["firedAt"].is_null());

  // Still breaching two minutes later: firing, since the moment it fired.
  for (int i = 0; i < 12; ++i) {
    d.host.runq_waits("db<script>", 100, 120'000'000);
    d.tick(10);
  }
  j = d.only_alert();
  EXPECT_EQ(j["state"], "firing");
  EXPECT_EQ(j["activeAt"], pending_at);
  EXPECT_EQ(j["since"], j["firedAt"]);
  EXPECT_NE(j["since"], pending_at);
  v = j["value_text"];
  EXPECT_TRUE(v.starts_with("1") && v.ends_with("ms")) << v;  // the latest value: ~120ms
}

TEST(AlertJson, RateAndRatioUnits) {
  RuleConfig rate = AlertsConfig::default_alert_rules()[2];
  ASSERT_EQ(rate.name, "SyscallErrorRateHigh");
  Driven d(rate);
  d.host.errors("openat", "ENOENT", "web", 2500);
  d.tick(10);
  auto j = d.only_alert();
  EXPECT_EQ(j["threshold_text"], "100/s");
  EXPECT_EQ(j["value_text"], "250/s");
  EXPECT_EQ(j["unit"], "rate");

  Alert a;
  a.unit = "ratio";
  a.value = 0.123;
  a.threshold = 0.05;
  a.target = "x\xff";
  auto r = nlohmann::json::parse(alert_json(a).dump());
  EXPECT_EQ(r["value_text"], "12.3%");
  EXPECT_EQ(r["threshold_text"], "5%");
  EXPECT_EQ(r["target"], "x\xEF\xBF\xBD");  // invalid UTF-8 replaced, not passed on
}

}  // namespace
}  // namespace kscope
