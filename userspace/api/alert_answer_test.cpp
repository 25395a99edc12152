#include "api/alert_answer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "api/capture_answer.h"

namespace kscope {
namespace {

TEST(AlertAnswer, RoundTripsThroughJsonWithTheApisNames) {
  AlertAnswer a;
  a.rule = "RunQueueLatencyHigh";
  a.severity = "warning";
  a.state = "firing";
  a.target = "postgres";
  a.value = 0.081;
  a.threshold = 0.05;
  a.unit = "duration";
  a.value_text = "81ms";
  a.threshold_text = "50ms";
  a.since = "2026-12-07T10:00:00.000Z";
  a.labels = {{"alertname", "RunQueueLatencyHigh"}, {"comm", "postgres"}};
  a.annotations = {{"summary", "postgres waits"}};
  a.active_at = "2026-12-07T09:59:50.000Z";
  a.fired_at = "2026-12-07T10:00:00.000Z";
  a.fingerprint = "0123456789abcdef";
  a.generator_url = "http://host:9090/";
  const nlohmann::json j = a;
  EXPECT_EQ(j["activeAt"], a.active_at);
  EXPECT_EQ(j["firedAt"], *a.fired_at);
  EXPECT_TRUE(j["resolvedAt"].is_null());
  EXPECT_EQ(j["generatorURL"], a.generator_url);
  const auto b = j.get<AlertAnswer>();
  EXPECT_EQ(b.rule, a.rule);
  EXPECT_EQ(b.state, a.state);
  EXPECT_EQ(b.target, a.target);
  EXPECT_EQ(b.value, a.value);
  EXPECT_EQ(b.threshold, a.threshold);
  EXPECT_EQ(b.labels, a.labels);
  EXPECT_EQ(b.annotations, a.annotations);
  EXPECT_EQ(b.fired_at, a.fired_at);
  EXPECT_FALSE(b.resolved_at);
  EXPECT_EQ(b.fingerprint, a.fingerprint);
}

TEST(AlertAnswer, HostWideAlertAndNonFiniteValueAreNull) {
  AlertAnswer a;
  a.value = std::nan("");
  const nlohmann::json j = a;
  EXPECT_TRUE(j["target"].is_null());
  EXPECT_TRUE(j["value"].is_null());
  for (const char* text : {"null", "[1]", R"({"target": 5, "labels": [], "annotations": {"summary": 3}})"}) {
    SCOPED_TRACE(text);
    AlertAnswer b;
    EXPECT_NO_THROW(b = nlohmann::json::parse(text).get<AlertAnswer>());
    EXPECT_FALSE(b.target);
    EXPECT_TRUE(b.annotations.empty());
  }
}

TEST(CaptureAnswer, RoundTripsThroughJson) {
  CaptureAnswer c;
  c.id = "20261207T100000Z-Rule-1";
  c.rule = "Rule";
  c.status = "done";
  c.started = "2026-12-07T10:00:00.000Z";
  c.duration_seconds = 10;
  c.bytes = 48213;
  c.files = {{"cpu.svg", "http://h/api/v1/captures/x/cpu.svg"}};
  const nlohmann::json j = c;
  EXPECT_TRUE(j["target"].is_null());
  const auto d = j.get<CaptureAnswer>();
  EXPECT_EQ(d.id, c.id);
  EXPECT_FALSE(d.target);
  EXPECT_EQ(d.bytes, c.bytes);
  EXPECT_EQ(d.files, c.files);
  CaptureAnswer e;
  EXPECT_NO_THROW(e = nlohmann::json::parse(R"({"files": {"a": 1, "b": "u"}, "bytes": -1})").get<CaptureAnswer>());
  EXPECT_EQ(e.files.size(), 1u);
  EXPECT_EQ(e.bytes, 0u);
}

}  // namespace
}  // namespace kscope
