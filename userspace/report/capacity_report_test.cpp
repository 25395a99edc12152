#include "report/capacity_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "report/capacity_html.h"
#include "report/capacity_json.h"

namespace kscope {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CapacityReport, MatchIsMatchersInBracesOnly) {
  EXPECT_EQ(*parse_match(""), "");
  EXPECT_EQ(*parse_match("{}"), "");
  EXPECT_EQ(*parse_match("{instance=~\"web-.*\",job=\"n\"}"), "instance=~\"web-.*\",job=\"n\"");
  EXPECT_EQ(*parse_match("{a=\"}{\"}"), "a=\"}{\"");  // braces inside a string are the string's
  EXPECT_FALSE(parse_match("instance=\"x\"").ok());
  EXPECT_FALSE(parse_match("{a=\"x\"}) or vector(1) or up{").ok());
  EXPECT_FALSE(parse_match("{a=\"x}").ok());
}

TEST(CapacityReport, ExpandsMatchersAndRange) {
  EXPECT_EQ(expand_query("sum(rate(x{mode=\"a\"%M}[R])) / y{%M}", "job=\"n\"", 600),
            "sum(rate(x{mode=\"a\",job=\"n\"}[600s])) / y{job=\"n\"}");
  EXPECT_EQ(expand_query("x{mode=\"a\"%M} + y{%M}", "", 60), "x{mode=\"a\"} + y{}");
  for (const auto& spec : capacity_signal_specs()) {
    EXPECT_THAT(expand_query(spec.usage, "", 60), Not(HasSubstr("%M"))) << spec.key;
    EXPECT_THAT(expand_query(spec.usage, "", 60), Not(HasSubstr("[R]"))) << spec.key;
  }
}

// Every "by (...)" clause of a query, without "le" (histogram_quantile's).
std::vector<std::string> groupings(const std::string& q) {
  std::vector<std::string> out;
  for (size_t pos = 0; (pos = q.find("by (", pos)) != std::string::npos;) {
    pos += 4;
    std::string g = q.substr(pos, q.find(')', pos) - pos);
    if (const size_t le = g.find(", le"); le != std::string::npos) g.erase(le, 4);
    out.push_back(g);
  }
  return out;
}

TEST(CapacityReport, RequestSignalsHaveOneRowPerServiceAlike) {
  // kscope exports all of a host's services under one job, told apart by
  // its breakdown label: a grouping without it blends them into one row.
  // Every clause must group alike, or the error ratio's "or" and "/" match
  // nothing and the three signals' rows do not line up.
  for (const auto& spec : capacity_signal_specs()) {
    const std::string key = spec.key;
    if (key != "request_rate" && key != "request_latency_p99" && key != "error_ratio") continue;
    const auto g = groupings(spec.usage);
    ASSERT_FALSE(g.empty()) << key;
    for (const auto& one : g) EXPECT_EQ(one, "instance, job, comm, cgroup") << key << ": " << spec.usage;
  }
}

RegularSeries grid(double days, double step, auto value_at) {
  RegularSeries s;
  s.start = 1.7e9;
  s.step = step;
  for (double t = 0; t < days * 86400; t += step) s.values.push_back(value_at(t));
  return s;
}

TEST(CapacityReport, AFillingDiskRunsOutWhenItsLineSays) {
  std::mt19937 rng(5);
  std::normal_distribution<double> noise(0, 1e6);  // 1 MB of jitter on 100 GB
  const double size = 100e9, per_day = 2e9;
  auto s = grid(14, 900, [&](double t) { return 40e9 + per_day * t / 86400 + noise(rng); });
  const double truth = s.start + (size - 40e9) / per_day * 86400;  // 30 days after the start
  CapacityOptions o;
  auto a = analyze_series(s, size, o);
  ASSERT_TRUE(a.exhaustion && a.exhaustion->time) << a.note;
  const double from_end = truth - a.series.end();
  EXPECT_NEAR(*a.exhaustion->time, truth, 0.05 * from_end);
  ASSERT_TRUE(a.exhaustion->earliest && a.exhaustion->latest);
  EXPECT_LE(*a.exhaustion->earliest, truth);
  EXPECT_GE(*a.exhaustion->latest, truth);
  EXPECT_FALSE(a.model_period_seconds.has_value());
  EXPECT_TRUE(a.anomalies.empty());
  ASSERT_TRUE(a.recommended_capacity && a.peak);
  EXPECT_DOUBLE_EQ(*a.recommended_capacity, a.peak->mean * 1.3);
}

TEST(CapacityReport, ADailyCycleGrowingIsForecastWithItsSeason) {
  std::mt19937 rng(6);
  std::normal_distribution<double> noise(0, 0.01);
  auto truth = [](double t) {
    const double days = t / 86400;
    return (1 + 0.02 * days) * (2 + std::sin(2 * M_PI * days));
  };
  auto s = grid(14, 900, [&](double t) { return truth(t) * (1 + noise(rng)); });
  CapacityOptions o;
  o.horizon_seconds = 7 * 86400;
  auto a = analyze_series(s, std::nullopt, o);
  ASSERT_TRUE(a.model_period_seconds);
  EXPECT_EQ(*a.model_period_seconds, 86400);
  ASSERT_TRUE(a.peak);
  double true_peak = 0;
  for (double t = 14 * 86400; t <= 21 * 86400; t += 900) true_peak = std::max(true_peak, truth(t));
  EXPECT_NEAR(a.peak->mean, true_peak, 0.1 * true_peak);
  EXPECT_LE(a.peak->lower, true_peak);
  EXPECT_GE(a.peak->upper, true_peak);
  EXPECT_FALSE(a.exhaustion.has_value());  // no capacity: not a finite resource
}

TEST(CapacityReport, JsonAndHtmlCarryTheAnalysisEscaped) {
  CapacityReport r;
  r.url = "http://p:9090";
  r.match = "{instance=\"<script>\"}";
  r.step = 900;
  r.hosts = {"<b>h</b>"};
  CapacitySignal sig;
  sig.spec = &capacity_signal_specs()[2];
  auto s = grid(3, 900, [](double t) { return 10 + t / 86400; });
  SeriesAnalysis a = analyze_series(s, 20.0, CapacityOptions{});
  a.instance = "<b>h</b>";
  a.labels = {{"instance", "<b>h</b>"}, {"mountpoint", "/data\"&"}};
  sig.series.push_back(a);
  sig.found = true;
  r.signals.push_back(sig);
  CapacitySignal absent;
  absent.spec = &capacity_signal_specs()[4];
  absent.note = absent.spec->absent_note;
  r.signals.push_back(absent);
  auto j = capacity_report_json(r);
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["signals"][0]["key"], "filesystem");
  EXPECT_EQ(j["signals"][0]["finite"], true);
  EXPECT_EQ(j["signals"][0]["series"][0]["labels"]["mountpoint"], "/data\"&");
  EXPECT_TRUE(j["signals"][0]["series"][0]["exhaustion"]["time"].is_number());
  EXPECT_EQ(j["signals"][1]["found"], false);
  EXPECT_THAT(j["signals"][1]["note"].get<std::string>(), HasSubstr("http_server_request_duration_seconds"));
  std::string html = render_capacity_html(r, "/*js*/", "/*css*/");
  EXPECT_THAT(html, Not(HasSubstr("<script>\"")));
  EXPECT_THAT(html, Not(HasSubstr("<b>h</b>")));
  EXPECT_THAT(html, HasSubstr("&lt;b&gt;h&lt;/b&gt;"));
  EXPECT_THAT(html, HasSubstr("What runs out"));
  EXPECT_THAT(html, HasSubstr("Left out: http_server_request_duration_seconds"));
}

}  // namespace
}  // namespace kscope
