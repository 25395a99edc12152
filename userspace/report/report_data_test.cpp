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

}  // namespace
}  // namespace kscope
