#include "top/top_table.h"

#include <gtest/gtest.h>

#include <cstring>
#include <iterator>
#include <sstream>
#include <tuple>

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
  f.present[index(TopColumn::kOffcpu)] = false;
  merge_query(f.rows, index(TopColumn::kSyscalls), answer({{"nginx", {10.0, 1500.0}}, {"bash", {3.0, 2.0}}}), "comm");
  merge_query(f.rows, index(TopColumn::kLatencyP99), answer({{"nginx", {nullptr, 0.0021}}, {"bash", {0.5, nullptr}}}),
              "comm");
  return f;
}

TEST(TopTable, MergeTakesTheNewestNonNullValuePerTarget) {
  TopFrame f = sample_frame();
  ASSERT_EQ(f.rows.size(), 2u);
  EXPECT_EQ(f.rows[0].target, "nginx");
  const auto col = [](TopColumn c) { return index(c); };
  EXPECT_DOUBLE_EQ(*f.rows[0].values[col(TopColumn::kSyscalls)], 1500.0);
  EXPECT_DOUBLE_EQ(*f.rows[0].values[col(TopColumn::kLatencyP99)], 0.0021);
  // The older value when the newest is null.
  EXPECT_DOUBLE_EQ(*f.rows[1].values[col(TopColumn::kLatencyP99)], 0.5);
  EXPECT_FALSE(f.rows[0].values[col(TopColumn::kErrors)].has_value());
  EXPECT_FALSE(f.rows[0].values[col(TopColumn::kCpu)].has_value());
  EXPECT_FALSE(merge_query(f.rows, index(TopColumn::kOffcpu), {{"found", false}, {"series", nlohmann::json::array()}},
                           "comm"));
}

TEST(TopTable, SortsEachWayWithAbsentValuesLast) {
  std::vector<TopRow> rows = {
      {"a", {0.0, 1.0, std::nullopt}}, {"b", {0.0, 3.0, 0.2}}, {"c", {0.0, 2.0, 0.1}}};
  sort_rows(rows, index(TopColumn::kSyscalls), false);
  EXPECT_EQ(rows[0].target + rows[1].target + rows[2].target, "bca");
  sort_rows(rows, index(TopColumn::kSyscalls), true);
  EXPECT_EQ(rows[0].target + rows[1].target + rows[2].target, "acb");
  sort_rows(rows, index(TopColumn::kLatencyP99), false);
  EXPECT_EQ(rows[0].target + rows[1].target + rows[2].target, "bca");
  sort_rows(rows, index(TopColumn::kLatencyP99), true);
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

TEST(TopTable, SaysWhenSyscallFiguresAreEstimates) {
  TopFrame f = sample_frame();
  EXPECT_EQ(render_top(f, 80, 24, false)[2].find("estimates"), std::string::npos);
  EXPECT_TRUE(top_json(f)["syscall_estimates"].is_null());
  f.estimates = "syscall figures are estimates: sampling mode, syscall probe attached 1s of every 10s";
  auto lines = render_top(f, 80, 24, false);
  EXPECT_EQ(lines[2].rfind("syscall figures are estimates", 0), 0u) << lines[2];
  EXPECT_NE(lines[3].find("COMM"), std::string::npos);
  EXPECT_EQ(top_json(f)["syscall_estimates"], f.estimates);
}

TEST(TopTable, TheHotProcessComesFirstByDefault) {
  TopFrame f;
  f.present.fill(true);
  merge_query(f.rows, index(TopColumn::kSyscalls), answer({{"sleep", {5000.0}}, {"python3", {3.0}}}), "comm");
  merge_query(f.rows, index(TopColumn::kCpu), answer({{"sleep", {0.001}}, {"python3", {0.98}}}), "comm");
  EXPECT_EQ(f.sort, index(TopColumn::kCpu));
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
  const TopView p = TopView::kProcesses;
  EXPECT_EQ(column_for_key(p, '1'), index(TopColumn::kCpu));
  EXPECT_EQ(column_for_key(p, 'c'), index(TopColumn::kCpu));
  EXPECT_EQ(column_for_key(p, '2'), index(TopColumn::kSyscalls));
  EXPECT_EQ(column_for_key(p, '7'), index(TopColumn::kOffcpu));
  EXPECT_EQ(column_for_key(p, 'l'), index(TopColumn::kLatencyP99));
  EXPECT_EQ(column_for_key(p, 'r'), index(TopColumn::kRunqueueP99));
  EXPECT_FALSE(column_for_key(p, '8').has_value());
  EXPECT_FALSE(column_for_key(p, 'q').has_value());
  EXPECT_FALSE(column_for_key(p, 'v').has_value());  // switches views
  EXPECT_FALSE(column_for_key(p, 'i').has_value());  // inverts
}

TEST(TopTable, JsonHasEveryColumnAndNulls) {
  auto j = top_json(sample_frame());
  ASSERT_EQ(j["rows"].size(), 2u);
  EXPECT_EQ(j["rows"][0]["target"], "nginx");
  EXPECT_DOUBLE_EQ(j["rows"][0]["syscalls_per_second"].get<double>(), 1500.0);
  EXPECT_TRUE(j["rows"][0]["syscall_errors_per_second"].is_null());
  EXPECT_EQ(j["columns"].size(), 7u);
  EXPECT_EQ(j["view"], "processes");
  EXPECT_EQ(j["rows"][0]["name"], "nginx");
}

// An /api/v1/query answer grouped by cgroup,service,container_id,pod_uid.
nlohmann::json cgroup_answer(std::vector<std::tuple<std::string, std::string, std::string, nlohmann::json>> series) {
  nlohmann::json s = nlohmann::json::array();
  for (auto& [cgroup, service, container, values] : series) {
    s.push_back({{"labels", {{"cgroup", cgroup}, {"service", service}, {"container_id", container}, {"pod_uid", ""}}},
                 {"values", values},
                 {"mean", 0}});
  }
  return {{"found", true}, {"series", s}};
}

TopFrame cgroup_frame() {
  TopFrame f;
  f.view = TopView::kCgroups;
  f.source = "http://127.0.0.1:9494";
  f.window_seconds = 2;
  f.present.fill(true);
  const std::string key = top_key_label(f);
  const auto& names = top_view(f.view).name_labels;
  const std::string svc = "/system.slice/payments.service";
  const std::string ctr = "/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  merge_query(f.rows, index(CgroupColumn::kCpu),
              cgroup_answer({{svc, "payments.service", "", {0.3, 0.1}}, {ctr, "", "0123456789abcdef", {1.5}},
                             {"/user.slice", "", "", {0.25}}}),
              key, names);
  merge_query(f.rows, index(CgroupColumn::kCpuLimit), cgroup_answer({{svc, "payments.service", "", {0.1}}}), key,
              names);
  // 45 of 50 periods throttled; the container ran no period (no limit).
  merge_ratio(f.rows, index(CgroupColumn::kThrottled),
              cgroup_answer({{svc, "payments.service", "", {nullptr, 45.0}}, {ctr, "", "0123456789abcdef", {0.0}}}),
              cgroup_answer({{svc, "payments.service", "", {nullptr, 50.0}}, {ctr, "", "0123456789abcdef", {0.0}}}),
              key, names);
  merge_query(f.rows, index(CgroupColumn::kMemory),
              cgroup_answer({{svc, "payments.service", "", {256.0 * 1024 * 1024}}}), key, names);
  merge_ratio(f.rows, index(CgroupColumn::kMemoryOfLimit),
              cgroup_answer({{svc, "payments.service", "", {256.0 * 1024 * 1024}}}),
              cgroup_answer({{svc, "payments.service", "", {512.0 * 1024 * 1024}}}), key, names);
  merge_query(f.rows, index(CgroupColumn::kOomKills), cgroup_answer({{svc, "payments.service", "", {0.0, 2.0}}}),
              key, names);
  sort_rows(f.rows, f.sort, f.ascending);
  return f;
}

TEST(TopCgroups, RowsAreKeyedByCgroupAndNamedByServiceOrContainer) {
  TopFrame f = cgroup_frame();
  EXPECT_EQ(top_key_label(f), "cgroup");
  EXPECT_EQ(top_query_by(f), "cgroup,service,container_id,pod_uid");
  ASSERT_EQ(f.rows.size(), 3u);
  // CPU first: the container at 1.5 cores, then the user slice, then the service.
  EXPECT_EQ(f.rows[0].name, "0123456789abcdef");
  EXPECT_EQ(f.rows[1].name, "");  // no identity: the path is shown
  EXPECT_EQ(f.rows[1].target, "/user.slice");
  const TopRow& svc = f.rows[2];
  EXPECT_EQ(svc.target, "/system.slice/payments.service");
  EXPECT_EQ(svc.name, "payments.service");
  EXPECT_DOUBLE_EQ(*svc.values[index(CgroupColumn::kCpu)], 0.1);
  EXPECT_DOUBLE_EQ(*svc.values[index(CgroupColumn::kThrottled)], 0.9);
  EXPECT_DOUBLE_EQ(*svc.values[index(CgroupColumn::kMemoryOfLimit)], 0.5);
  EXPECT_DOUBLE_EQ(*svc.values[index(CgroupColumn::kOomKills)], 2.0);
  // No periods ran: no ratio, not 0% (nor a division by zero).
  EXPECT_FALSE(f.rows[0].values[index(CgroupColumn::kThrottled)].has_value());
  EXPECT_FALSE(f.rows[1].values[index(CgroupColumn::kMemoryOfLimit)].has_value());

  // A ratio whose divisor metric is absent marks the column absent.
  std::vector<TopRow> rows;
  EXPECT_FALSE(merge_ratio(rows, index(CgroupColumn::kMemoryOfLimit), cgroup_answer({{"/a", "", "", {1.0}}}),
                           {{"found", false}, {"series", nlohmann::json::array()}}, "cgroup"));
  EXPECT_TRUE(rows.empty());

  sort_rows(f.rows, index(CgroupColumn::kThrottled), false);
  EXPECT_EQ(f.rows[0].name, "payments.service");
}

TEST(TopCgroups, FitsEightyColumnsWithReadableValues) {
  TopFrame f = cgroup_frame();
  f.present[index(CgroupColumn::kPressureIo)] = false;
  sort_rows(f.rows, index(CgroupColumn::kThrottled), false);
  f.sort = index(CgroupColumn::kThrottled);
  auto lines = render_top(f, 80, 24, false);
  for (const auto& l : lines) {
    EXPECT_LE(l.size(), 80u) << l;
    for (char c : l) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << l;
  }
  EXPECT_EQ(lines[0].rfind("kscope top cgroups  http://127.0.0.1:9494", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("sort: share of CPU periods throttled by the limit   keys: 1-9/cltmupwbo", 0), 0u)
      << lines[1];
  for (const char* h : {"CGROUP", "CPU", "LIMIT", "THROTL%", "MEM", "MEM%", "PSI-MEM", "PSI-IO", "IO/s", "OOM"}) {
    EXPECT_NE(lines[2].find(h), std::string::npos) << h;
  }
  // NAME CPU LIMIT THROTL% MEM MEM% PSI-MEM PSI-IO IO/s OOM
  std::istringstream row(lines[3]);
  std::vector<std::string> cells{std::istream_iterator<std::string>(row), {}};
  EXPECT_EQ(cells, (std::vector<std::string>{"payments.service", "0.10", "0.10", "90%", "256Mi", "50%", "-", "n/a",
                                             "-", "2"}));
  // The path when nothing better names the cgroup, cut and marked to fit.
  EXPECT_NE(lines.end(), std::find_if(lines.begin(), lines.end(),
                                      [](const std::string& l) { return l.rfind("/user.slice ", 0) == 0; }));
}

TEST(TopCgroups, HostileCgroupPathsAreEscaped) {
  TopFrame f;
  f.view = TopView::kCgroups;
  f.present.fill(true);
  merge_query(f.rows, index(CgroupColumn::kCpu),
              cgroup_answer({{"/\x1b[2Jx\x07", "", "", {0.5}}, {"/b", "\x1b]0;t\x07.service", "", {0.4}}}),
              "cgroup", top_view(f.view).name_labels);
  auto lines = render_top(f, 80, 24, true);
  for (size_t i = 3; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].find('\x1b'), std::string::npos) << lines[i];
    EXPECT_EQ(lines[i].find('\x07'), std::string::npos) << lines[i];
  }
  EXPECT_EQ(lines[3].rfind("/\\x1b[2Jx\\x07 ", 0), 0u) << lines[3];
  EXPECT_EQ(lines[4].rfind("\\x1b]0;t\\x07.ser~ ", 0), 0u) << lines[4];
}

TEST(TopCgroups, ViewsKeysAndJson) {
  EXPECT_EQ(parse_top_view("cgroups"), TopView::kCgroups);
  EXPECT_EQ(parse_top_view("processes"), TopView::kProcesses);
  EXPECT_FALSE(parse_top_view("containers"));
  EXPECT_EQ(parse_top_view("services"), TopView::kServices);
  EXPECT_EQ(next_top_view(TopView::kProcesses), TopView::kServices);
  EXPECT_EQ(next_top_view(TopView::kServices), TopView::kEdges);
  EXPECT_EQ(next_top_view(TopView::kEdges), TopView::kCgroups);
  EXPECT_EQ(parse_top_view("edges"), TopView::kEdges);
  EXPECT_EQ(next_top_view(TopView::kCgroups), TopView::kProcesses);
  const TopView c = TopView::kCgroups;
  EXPECT_EQ(column_for_key(c, 't'), index(CgroupColumn::kThrottled));
  EXPECT_EQ(column_for_key(c, '9'), index(CgroupColumn::kOomKills));
  EXPECT_EQ(column_for_key(c, 'o'), index(CgroupColumn::kOomKills));
  EXPECT_EQ(column_for_key(c, 'u'), index(CgroupColumn::kMemoryOfLimit));
  EXPECT_FALSE(column_for_key(c, 's'));  // the processes view's syscalls
  for (char k : {'i', 'v', 'q'}) EXPECT_FALSE(column_for_key(c, k)) << k;
  // Every view's columns fit the row array and have distinct keys.
  for (TopView v : {TopView::kProcesses, TopView::kServices, TopView::kEdges, TopView::kCgroups}) {
    const auto& cols = top_view(v).columns;
    for (char k : {'i', 'v', 'q'}) EXPECT_FALSE(column_for_key(v, k)) << k << " is a command key";
    ASSERT_LE(cols.size(), kMaxTopColumns);
    for (size_t i = 0; i < cols.size(); ++i) {
      EXPECT_LT(std::strlen(cols[i].header), cols[i].width);
      for (size_t j = 0; j < i; ++j) EXPECT_NE(cols[i].letter, cols[j].letter);
    }
  }

  auto j = top_json(cgroup_frame());
  EXPECT_EQ(j["view"], "cgroups");
  EXPECT_EQ(j["by"], "cgroup");
  ASSERT_EQ(j["columns"].size(), 9u);
  EXPECT_EQ(j["columns"][2]["key"], "cpu_throttled_ratio");
  EXPECT_EQ(j["columns"][2]["divisor"], "kscope_cgroup_cpu_periods_total");
  const auto& svc = j["rows"][2];
  EXPECT_EQ(svc["target"], "/system.slice/payments.service");
  EXPECT_EQ(svc["name"], "payments.service");
  EXPECT_DOUBLE_EQ(svc["cpu_throttled_ratio"].get<double>(), 0.9);
  EXPECT_TRUE(svc["io_bytes_per_second"].is_null());
  EXPECT_EQ(j["rows"][1]["name"], "/user.slice");
}

// The services view: the share of requests that failed is 0 for a service
// whose requests never failed (no 5xx series at all), not "-".
TEST(TopServices, ErrorShareIsZeroWithoutA5xxSeries) {
  TopFrame f;
  f.view = TopView::kServices;
  const size_t err = index(ServiceColumn::kErrorRatio);
  ASSERT_TRUE(merge_ratio(f.rows, err, answer({{"nginx", {2.0}}}), answer({{"nginx", {40.0}}, {"api", {10.0}}}),
                          "comm", {}, top_view(f.view).columns[err].absent_numerator_is_zero));
  merge_query(f.rows, index(ServiceColumn::kRequests), answer({{"nginx", {40.0}}, {"api", {10.0}}}), "comm");
  sort_rows(f.rows, err, false);
  ASSERT_EQ(f.rows.size(), 2u);
  EXPECT_EQ(f.rows[0].target, "nginx");
  EXPECT_DOUBLE_EQ(*f.rows[0].values[err], 0.05);
  EXPECT_EQ(f.rows[1].target, "api");
  EXPECT_DOUBLE_EQ(*f.rows[1].values[err], 0.0);
  // Not for ratios whose numerator must exist (a cgroup's working set).
  TopFrame g;
  merge_ratio(g.rows, 0, answer({}), answer({{"api", {10.0}}}), "comm");
  EXPECT_TRUE(g.rows.empty());
  f.present.fill(true);
  auto lines = render_top(f, 100, 10, false);
  for (const char* h : {"REQ/s", "ERR%", "P50", "P95", "P99", "DB/s", "DB p99"}) {
    EXPECT_NE(lines[2].find(h), std::string::npos) << h << " in " << lines[2];
  }
}

// The edges view: a row per edge of /api/v1/services, the server named by
// its process when local; names from other processes drawn as text.
TEST(TopEdges, RowsFromTheServiceMap) {
  auto services = nlohmann::json::parse(R"({"edges": [
    {"client": "curl", "protocol": "http", "server": {"address": "127.0.0.1", "port": "8080", "process": "nginx", "pid": 7},
     "requests_per_second": 40.0, "error_ratio": 0.25, "p50_seconds": 0.0001, "p99_seconds": 0.002, "count": 40},
    {"client": "app", "protocol": "redis", "server": {"address": "fd00::1", "port": "6379", "process": null, "pid": null},
     "requests_per_second": 5.0, "error_ratio": 0.0, "p50_seconds": 0.0002, "p99_seconds": 0.001, "count": 5},
    "not an edge", {"client": "x"}]})");
  services["edges"][1]["client"] = "app\x1b[2J";  // a process named with an escape sequence
  TopFrame f;
  f.view = TopView::kEdges;
  ASSERT_TRUE(merge_edges(f.rows, services));
  ASSERT_EQ(f.rows.size(), 2u);
  EXPECT_EQ(f.rows[0].target, "curl -> nginx 127.0.0.1:8080 (http)");
  EXPECT_DOUBLE_EQ(*f.rows[0].values[index(EdgeColumn::kErrorRatio)], 0.25);
  EXPECT_EQ(f.rows[1].target, "app\x1b[2J -> [fd00::1]:6379 (redis)");
  EXPECT_FALSE(merge_edges(f.rows, nlohmann::json::object()));
  f.present.fill(true);
  auto lines = render_top(f, 120, 10, false);
  for (const auto& l : lines) EXPECT_EQ(l.find('\x1b'), std::string::npos) << l;
  EXPECT_NE(lines[3].find("curl -> nginx 127.0.0.1:8080 (http)"), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find("25%"), std::string::npos) << lines[3];
}

TEST(ValueFormat, BytesPercentAndCounts) {
  EXPECT_EQ(format_bytes(0), "0");
  EXPECT_EQ(format_bytes(512), "512B");
  EXPECT_EQ(format_bytes(12 * 1024), "12.0Ki");
  EXPECT_EQ(format_bytes(1.5 * 1024 * 1024 * 1024), "1.50Gi");
  EXPECT_EQ(format_bytes(1023.9 * 1024 * 1024), "1.00Gi");
  EXPECT_EQ(format_bytes(-1), "-");
  EXPECT_EQ(format_percent(0.934), "93%");
  EXPECT_EQ(format_percent(0.05), "5.0%");
  EXPECT_EQ(format_percent(0.0004), "0.04%");
  EXPECT_EQ(format_percent(0), "0%");
  EXPECT_EQ(format_percent(1), "100%");
  EXPECT_EQ(format_count(2), "2");
  EXPECT_EQ(format_count(1234), "1234");
  EXPECT_EQ(format_count(12345), "12.3k");
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
