#include "top/top_table.h"

#include <gtest/gtest.h>

#include "top/value_format.h"

namespace kscope {
namespace {

nlohmann::json answer(std::vector<std::pair<std::string, nlohmann::json>> series) {
  nlohmann::json s = nlohmann::json::array();
  for (auto& [comm, values] : series) s.push_back({{"labels", {{"comm", comm}}}, {"values", values}, {"mean", 0}});
  return {{"found", true}, {"series", s}};
}

TopFrame sample_frame() {
  TopFrame f;
  f.source = "http://127.0.0.1:9494";
  f.window_seconds = 2;
  f.present.fill(true);
  f.present[static_cast<size_t>(TopColumn::kOffcpu)] = false;
  merge_query(f.rows, TopColumn::kSyscalls, answer({{"nginx", {10.0, 1500.0}}, {"bash", {3.0, 2.0}}}), "comm");
  merge_query(f.rows, TopColumn::kLatencyP99, answer({{"nginx", {nullptr, 0.0021}}, {"bash", {0.5, nullptr}}}),
              "comm");
  return f;
}

TEST(TopTable, MergeTakesTheNewestNonNullValuePerTarget) {
  TopFrame f = sample_frame();
  ASSERT_EQ(f.rows.size(), 2u);
  EXPECT_EQ(f.rows[0].target, "nginx");
  const auto col = [](TopColumn c) { return static_cast<size_t>(c); };
  EXPECT_DOUBLE_EQ(*f.rows[0].values[col(TopColumn::kSyscalls)], 1500.0);
  EXPECT_DOUBLE_EQ(*f.rows[0].values[col(TopColumn::kLatencyP99)], 0.0021);
  // The older value when the newest is null.
  EXPECT_DOUBLE_EQ(*f.rows[1].values[col(TopColumn::kLatencyP99)], 0.5);
  EXPECT_FALSE(f.rows[0].values[col(TopColumn::kErrors)].has_value());
  EXPECT_FALSE(f.rows[0].values[col(TopColumn::kCpu)].has_value());
  EXPECT_FALSE(merge_query(f.rows, TopColumn::kOffcpu, {{"found", false}, {"series", nlohmann::json::array()}},
                           "comm"));
}

TEST(TopTable, SortsEachWayWithAbsentValuesLast) {
  std::vector<TopRow> rows = {
      {"a", {0.0, 1.0, std::nullopt}}, {"b", {0.0, 3.0, 0.2}}, {"c", {0.0, 2.0, 0.1}}};
  sort_rows(rows, TopColumn::kSyscalls, false);
  EXPECT_EQ(rows[0].target + rows[1].target + rows[2].target, "bca");
  sort_rows(rows, TopColumn::kSyscalls, true);
  EXPECT_EQ(rows[0].target + rows[1].target + rows[2].target, "acb");
  sort_rows(rows, TopColumn::kLatencyP99, false);
  EXPECT_EQ(rows[0].target + rows[1].target + rows[2].target, "bca");
  sort_rows(rows, TopColumn::kLatencyP99, true);
  EXPECT_EQ(rows[0].target + rows[1].target + rows[2].target, "cba");  // absent last even ascending
}

TEST(TopTable, FitsEightyByTwentyFourAndIsPlainAscii) {
  TopFrame f = sample_frame();
  for (int i = 0; i < 50; ++i) f.rows.push_back({"worker-" + std::to_string(i), {0.0, 1.0 * i}});
  auto lines = render_top(f, 80, 24, false);
  ASSERT_EQ(lines.size(), 24u);
  for (const auto& l : lines) {
    EXPECT_LE(l.size(), 80u) << l;
    for (char c : l) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << l;
  }
  EXPECT_NE(lines[2].find("COMM"), std::string::npos);
  EXPECT_NE(lines[2].find("LAT p99"), std::string::npos);
  EXPECT_NE(lines[2].find("CPU"), std::string::npos);
  EXPECT_EQ(lines[3].rfind("nginx", 0), 0u);
  EXPECT_NE(lines[3].find("1.50k"), std::string::npos);
  EXPECT_NE(lines[3].find("2.10ms"), std::string::npos);
  EXPECT_NE(lines[3].find("n/a"), std::string::npos);  // off-CPU metric absent
}

TEST(TopTable, TheHotProcessComesFirstByDefault) {
  TopFrame f;
  f.present.fill(true);
  merge_query(f.rows, TopColumn::kSyscalls, answer({{"sleep", {5000.0}}, {"python3", {3.0}}}), "comm");
  merge_query(f.rows, TopColumn::kCpu, answer({{"sleep", {0.001}}, {"python3", {0.98}}}), "comm");
  EXPECT_EQ(f.sort, TopColumn::kCpu);
  sort_rows(f.rows, f.sort, f.ascending);
  EXPECT_EQ(f.rows[0].target, "python3");
  auto lines = render_top(f, 80, 24, false);
  EXPECT_EQ(lines[3].rfind("python3", 0), 0u);
  EXPECT_NE(lines[3].find("0.98"), std::string::npos) << lines[3];
  EXPECT_EQ(format_cores(0.0216), "0.02");
  EXPECT_EQ(format_cores(12.34), "12.3");
  EXPECT_EQ(format_cores(0), "0");
  EXPECT_EQ(format_cores(-1), "-");
}

TEST(TopTable, HostileNamesNeverReachTheTerminalRaw) {
  TopFrame f;
  f.present.fill(true);
  f.rows.push_back({"\x1b]0;pwned\x07\x1b[2J evil", {5.0}});
  f.rows.push_back({std::string(200, 'x'), {4.0}});
  auto lines = render_top(f, 80, 24, true);
  for (size_t i = 3; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].find('\x1b'), std::string::npos) << lines[i];
    EXPECT_EQ(lines[i].find('\x07'), std::string::npos);
    EXPECT_LE(lines[i].size(), 80u);
  }
  EXPECT_EQ(lines[3].rfind("\\x1b]0;pwned\\x07", 0), 0u);
  EXPECT_NE(lines[4].find("x~ "), std::string::npos);  // a cut name is marked
}

TEST(TopTable, NarrowTerminalStillFits) {
  TopFrame f = sample_frame();
  for (size_t w : {20u, 40u, 63u}) {
    for (const auto& l : render_top(f, w, 5, false)) EXPECT_LE(l.size(), w);
  }
  EXPECT_EQ(render_top(f, 80, 3, false).size(), 3u);
}

TEST(TopTable, KeysSelectColumns) {
  EXPECT_EQ(column_for_key('1'), TopColumn::kCpu);
  EXPECT_EQ(column_for_key('c'), TopColumn::kCpu);
  EXPECT_EQ(column_for_key('2'), TopColumn::kSyscalls);
  EXPECT_EQ(column_for_key('7'), TopColumn::kOffcpu);
  EXPECT_EQ(column_for_key('l'), TopColumn::kLatencyP99);
  EXPECT_EQ(column_for_key('r'), TopColumn::kRunqueueP99);
  EXPECT_FALSE(column_for_key('8').has_value());
  EXPECT_FALSE(column_for_key('q').has_value());
}

TEST(TopTable, JsonHasEveryColumnAndNulls) {
  auto j = top_json(sample_frame());
  ASSERT_EQ(j["rows"].size(), 2u);
  EXPECT_EQ(j["rows"][0]["target"], "nginx");
  EXPECT_DOUBLE_EQ(j["rows"][0]["syscalls_per_second"].get<double>(), 1500.0);
  EXPECT_TRUE(j["rows"][0]["syscall_errors_per_second"].is_null());
  EXPECT_EQ(j["columns"].size(), kTopColumns);
}

TEST(ValueFormat, SiAndSeconds) {
  EXPECT_EQ(format_si(0), "0");
  EXPECT_EQ(format_si(7), "7.00");
  EXPECT_EQ(format_si(999.7), "1.00k");
  EXPECT_EQ(format_si(1234), "1.23k");
  EXPECT_EQ(format_si(56e6), "56.0M");
  EXPECT_EQ(format_si(-1), "-");
  EXPECT_EQ(format_seconds(750e-9), "750ns");
  EXPECT_EQ(format_seconds(12.3e-6), "12.3us");
  EXPECT_EQ(format_seconds(0.0045), "4.50ms");
  EXPECT_EQ(format_seconds(1.2), "1.20s");
  EXPECT_EQ(format_seconds(180), "3.0m");
  EXPECT_EQ(format_seconds(7200), "2.0h");
}

}  // namespace
}  // namespace kscope
