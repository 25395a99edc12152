#include "report/report_data.h"

#include <gtest/gtest.h>

#include "report/report_html.h"

namespace kscope {
namespace {

using Clock = std::chrono::system_clock;

// A report generated at unix time `now` over `window` seconds.
ReportData report_at(double now, double window) {
  ReportData d;
  d.generated = Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(now)));
  d.window_seconds = window;
  d.step_seconds = std::max(1.0, std::round(window / 240));
  for (double t = now - window; t <= now; t += d.step_seconds) d.timestamps.push_back(t);
  for (const auto& spec : report_signal_specs()) {
    ReportSignal s;
    s.spec = &spec;
    s.values.assign(d.timestamps.size(), std::nullopt);
    d.signals.push_back(s);
  }
  return d;
}

constexpr double kNow = 1790000000;  // 2026-09-21 14:13:20 UTC

TEST(ReportCoverage, TwoHoursAskedOverTenMinutesOfHistorySaysSo) {
  ReportData d = report_at(kNow, 7200);
  apply_history_json(d, {{"frames", 60}, {"oldest", kNow - 600}, {"newest", kNow}, {"retention_seconds", 3600}});
  ASSERT_EQ(history_covered_seconds(d), 600);
  EXPECT_EQ(coverage_note(d),
            "the history covers only the last 10m of the 2h window asked for (from 2026-09-21 14:03:20 UTC); "
            "kscope run keeps at most 1h (history.retention)");
  const std::string html = render_report_html(d, "", "");
  EXPECT_NE(html.find("id=\"coverage\">Note: the history covers only the last 10m of the 2h window"),
            std::string::npos);
}

TEST(ReportCoverage, ACoveredWindowHasNoNote) {
  ReportData d = report_at(kNow, 900);
  apply_history_json(d, {{"frames", 360}, {"oldest", kNow - 3590}, {"newest", kNow}, {"retention_seconds", 3600}});
  EXPECT_FALSE(history_covered_seconds(d));
  EXPECT_EQ(coverage_note(d), "");
  EXPECT_EQ(render_report_html(d, "", "").find("id=\"coverage\""), std::string::npos);
  // Short by less than two steps (history a few seconds younger than the window) is covered.
  apply_history_json(d, {{"frames", 90}, {"oldest", kNow - 895}, {"retention_seconds", 3600}});
  EXPECT_FALSE(history_covered_seconds(d));
}

TEST(ReportCoverage, WithoutTheHistoryApiTheFirstPointWithDataTells) {
  ReportData d = report_at(kNow, 3600);
  // Values only in the last 90 seconds.
  for (size_t i = 0; i < d.timestamps.size(); ++i) {
    if (d.timestamps[i] >= kNow - 90) d.signals[0].values[i] = 1.0;
  }
  auto covered = history_covered_seconds(d);
  ASSERT_TRUE(covered);
  EXPECT_NEAR(*covered, 90, d.step_seconds);
  EXPECT_NE(coverage_note(d).find("of the 1h window asked for"), std::string::npos) << coverage_note(d);

  ReportData empty = report_at(kNow, 600);
  EXPECT_EQ(coverage_note(empty), "the history holds no data in the 10m window asked for");
}

// An /api/v1/query answer over `ts` with one series per (labels, values).
nlohmann::json answer(const std::vector<double>& ts, std::vector<std::pair<nlohmann::json, nlohmann::json>> series) {
  nlohmann::json s = nlohmann::json::array();
  for (auto& [labels, values] : series) s.push_back({{"labels", labels}, {"values", values}, {"mean", 0}});
  return {{"found", true}, {"timestamps", ts}, {"series", s}};
}

TEST(ReportExhaustion, MemoryAndEachWritableFilesystemGetATimeToExhaustion) {
  ReportData d = report_at(kNow, 600);
  std::vector<double> ts;
  nlohmann::json mem = nlohmann::json::array(), root = nlohmann::json::array(), data = nlohmann::json::array(),
                 boot = nlohmann::json::array();
  for (int i = 0; i <= 60; ++i) {
    ts.push_back(kNow - 600 + 10.0 * i);
    mem.push_back(2e9 - 1e6 * 10 * i);  // 1 MB/s down: 1.4 GB left at the end, 1400 s
    root.push_back(i == 7 ? nlohmann::json() : nlohmann::json(50e9));  // flat, one gap
    data.push_back(1e9 + 1e5 * 10 * i);  // filling less: rising
    boot.push_back(300e6 - 0.25e6 * 10 * i);  // 250 kB/s down: 150 MB left, 600 s
  }
  auto fs = [](const char* mnt, const char* dev) {
    return nlohmann::json{{"mountpoint", mnt}, {"device", dev}, {"fstype", "ext4"}};
  };
  apply_exhaustion_json(
      d, answer(ts, {{nlohmann::json::object(), mem}}), answer(ts, {{nlohmann::json::object(), {nullptr, 8e9}}}),
      answer(ts, {{fs("/srv/data", "/dev/sdb1"), data}, {fs("/", "/dev/sda1"), root}, {fs("/boot", "/dev/sda2"), boot}}),
      answer(ts, {{fs("/", "/dev/sda1"), {100e9}}, {fs("/boot", "/dev/sda2"), {1e9}}}));
  ASSERT_EQ(d.exhaustion.size(), 4u);
  const auto& m = d.exhaustion[0];
  EXPECT_EQ(m.kind, ReportExhaustion::Kind::kMemory);
  EXPECT_EQ(m.name, "memory available");
  EXPECT_EQ(m.total, 8e9);
  ASSERT_TRUE(m.projection && m.projection->seconds_to_exhaustion);
  EXPECT_NEAR(*m.projection->seconds_to_exhaustion, 1400, 1e-6);
  // Filesystems by mountpoint.
  EXPECT_EQ(d.exhaustion[1].name, "/");
  EXPECT_EQ(d.exhaustion[2].name, "/boot");
  EXPECT_EQ(d.exhaustion[3].name, "/srv/data");
  EXPECT_EQ(d.exhaustion[1].device, "/dev/sda1");
  EXPECT_EQ(d.exhaustion[1].total, 100e9);
  EXPECT_FALSE(d.exhaustion[3].total);  // no size series for it
  ASSERT_TRUE(d.exhaustion[1].projection);
  EXPECT_EQ(d.exhaustion[1].projection->fit.points, 60u);
  EXPECT_FALSE(d.exhaustion[1].projection->seconds_to_exhaustion);  // flat
  EXPECT_NEAR(*d.exhaustion[2].projection->seconds_to_exhaustion, 600, 1e-6);
  EXPECT_FALSE(d.exhaustion[3].projection->seconds_to_exhaustion);  // rising

  const std::string html = render_report_html(d, "", "");
  const auto section = html.find("<h2 id=\"exhaustion\">Time to exhaustion</h2>");
  ASSERT_NE(section, std::string::npos);
  EXPECT_LT(html.find("id=\"trends\""), section);
  EXPECT_NE(html.find("<td>memory available</td><td></td><td class=\"n\">1.30Gi</td><td class=\"n\">7.45Gi</td>",
                      section),
            std::string::npos)
      << html.substr(section, 2000);
  EXPECT_NE(html.find("in 23.3m (", section), std::string::npos);
  EXPECT_NE(html.find("filesystem <code>/</code>", section), std::string::npos);
  EXPECT_NE(html.find("not falling", section), std::string::npos);
  EXPECT_NE(html.find("in 10.0m (", section), std::string::npos);

  // Without the host metrics: no rows, and the section says why.
  ReportData none = report_at(kNow, 600);
  apply_exhaustion_json(none, {{"found", false}}, {{"found", false}}, {{"found", false}}, {{"found", false}});
  EXPECT_TRUE(none.exhaustion.empty());
  EXPECT_NE(render_report_html(none, "", "").find("Time to exhaustion</h2>\n<p class=\"muted\">No data"),
            std::string::npos);
}

}  // namespace
}  // namespace kscope
