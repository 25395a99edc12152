#include "report/report_html.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

ReportData hostile_data() {
  ReportData d;
  d.source = "http://127.0.0.1:9494";
  d.window_seconds = 3600;
  d.step_seconds = 60;
  d.timestamps = {1000, 1060, 1120};
  for (const auto& spec : report_signal_specs()) {
    ReportSignal s;
    s.spec = &spec;
    s.found = spec.key != std::string("offcpu");
    s.values = {0.01, std::nullopt, 0.03};
    s.top = {{"</script><script>alert(1)</script>", 5.0}, {"a&b \"q\" 'x' \x01", 1.0}};
    d.signals.push_back(s);
  }
  apply_alerts_json(d, nlohmann::json::parse(R"J({"alerts":[{"rule":"RunQueueLatencyHigh","severity":"warning",
      "state":"firing","target":"<img src=x onerror=alert(1)>","value":0.09,"threshold":0.04,
      "annotations":{"summary":"waits <b>long</b>"},"firedAt":"2026-11-22T08:00:00Z","resolvedAt":null}]})J"));
  apply_captures_json(d, nlohmann::json::parse(R"J({"captures":[{"id":"c1","rule":"R","target":"t","status":"done",
      "started":"s","files":{"cpu.svg":"http://127.0.0.1:9494/api/v1/captures/c1/cpu.svg",
      "evil.svg":"javascript:alert(1)"}}]})J"));
  // A mountpoint is whatever someone mounted at: a hostile one too.
  apply_exhaustion_json(
      d, {{"found", true}, {"timestamps", {1000, 1060, 1120}}, {"series", {{{"labels", nlohmann::json::object()},
                                                                            {"values", {3e9, 2.9e9, 2.8e9}}}}}},
      {{"found", false}},
      {{"found", true},
       {"timestamps", {1000, 1060, 1120}},
       {"series",
        {{{"labels", {{"mountpoint", "/mnt/<svg onload=alert(1)>"}, {"device", "/dev/x&y"}, {"fstype", "ext4"}}},
          {"values", {5e9, 5e9, 5e9}}}}}},
      {{"found", false}});
  compute_trends(d);
  return d;
}

TEST(ReportHtml, EscapesEveryHostileString) {
  std::string html = render_report_html(hostile_data(), "var x = '</script>';", ".u{}");
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>long"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b &quot;q&quot; &#39;x&#39;"), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("filesystem <code>/mnt/&lt;svg onload=alert(1)&gt;</code></td><td>/dev/x&amp;y"),
            std::string::npos);
  EXPECT_NE(html.find("href=\"http://127.0.0.1:9494/api/v1/captures/c1/cpu.svg\""), std::string::npos);
  // Exactly the four script elements we write open and close.
  size_t opens = 0, closes = 0;
  for (size_t p = html.find("<script"); p != std::string::npos; p = html.find("<script", p + 1)) ++opens;
  for (size_t p = html.find("</script"); p != std::string::npos; p = html.find("</script", p + 1)) ++closes;
  EXPECT_EQ(opens, 3u);
  EXPECT_EQ(closes, 3u);
  EXPECT_NE(html.find("var x = '<\\/script>';"), std::string::npos);
}

TEST(ReportHtml, ThresholdFromTheAlertsApiAndTrendRows) {
  ReportData d = hostile_data();
  const ReportSignal* rq = nullptr;
  for (const auto& s : d.signals) {
    if (s.spec->key == std::string("runqueue_p99")) rq = &s;
  }
  ASSERT_NE(rq, nullptr);
  EXPECT_DOUBLE_EQ(*rq->threshold, 0.04);  // from the API, not the 50 ms default
  ASSERT_TRUE(rq->trend);
  // 10 ms at t=1000, 30 ms at t=1120: +10 ms per minute, 40 ms in one minute.
  EXPECT_NEAR(*rq->trend->seconds_to_threshold, 60, 1e-6);
  std::string html = render_report_html(d, "", "");
  EXPECT_NE(html.find("id=\"trends\""), std::string::npos);
  EXPECT_NE(html.find("reaches it in 60.0s"), std::string::npos);
  EXPECT_NE(html.find("no data (probe not loaded)"), std::string::npos);  // offcpu
}

TEST(ReportHtml, DefaultThresholdWithoutAlertsApi) {
  ReportData d;
  for (const auto& spec : report_signal_specs()) d.signals.push_back({&spec});
  compute_trends(d);
  for (const auto& s : d.signals) {
    if (s.spec->key == std::string("runqueue_p99")) {
      EXPECT_DOUBLE_EQ(*s.threshold, 0.05);
    }
    if (s.spec->key == std::string("offcpu")) {
      EXPECT_FALSE(s.threshold);
    }
  }
}

TEST(ReportHtml, ScriptSafeJson) {
  nlohmann::json j = {{"name", "</script><!--&"}};
  std::string s = script_safe_json(j);
  EXPECT_EQ(s.find('<'), std::string::npos);
  EXPECT_EQ(s.find('&'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(s)["name"], "</script><!--&");
}

}  // namespace
}  // namespace kscope
