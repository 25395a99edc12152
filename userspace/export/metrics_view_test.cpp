#include "export/metrics_view.h"

#include <gtest/gtest.h>

#include <set>

#include "export/prometheus.h"

namespace kscope {
namespace {

Series call_series(const std::string& syscall, const std::string& comm, int calls, uint64_t ns = 1000) {
  Histogram h;
  for (int i = 0; i < calls; ++i) h.record_ns(ns);
  return {{{"syscall", syscall}, {"comm", comm}}, 0, h};
}

const Family* find_family(const MetricsExport& e, const std::string& name) {
  for (const Family* f : e.families) {
    if (f->name == name) return f;
  }
  return nullptr;
}

const Series* find(const MetricsExport& e, const std::string& family, const Labels& labels) {
  const Family* f = find_family(e, family);
  if (!f) return nullptr;
  for (const auto& x : f->series) {
    if (x.labels == labels) return &x;
  }
  return nullptr;
}

Snapshot host() {
  Snapshot s;
  Family lat{"kscope_syscall_latency_seconds", "", MetricType::kHistogram, {}};
  // Three targets; nginx the busiest, then redis, then a one-off.
  lat.series = {call_series("read", "nginx", 50), call_series("write", "nginx", 40),
                call_series("epoll_wait", "nginx", 30), call_series("rseq", "nginx", 1),
                call_series("read", "redis", 20), call_series("rseq", "redis", 1),
                call_series("openat", "ls", 3, 3'000'000)};
  s.families.push_back(lat);
  Family runq{"kscope_runqueue_latency_seconds", "", MetricType::kHistogram, {}};
  Histogram a, b;
  a.record_ns(1000);
  a.record_ns(1000);
  b.record_ns(1000);
  runq.series = {{{{"comm", "ksoftirqd/0"}}, 0, a}, {{{"comm", "bash"}}, 0, b}};
  s.families.push_back(runq);
  s.families.push_back({"kscope_build_info", "", MetricType::kGauge, {{{{"version", "x"}}, 1, {}}}});
  return s;
}

}  // namespace

TEST(MetricsView, BusiestTargetsAndSyscallsKeepHistogramsAndEveryCallIsCounted) {
  MetricsView view({/*histogram_targets=*/1, /*histogram_syscalls=*/2, /*counter_syscalls=*/1}, "comm");
  view.update(std::make_shared<Snapshot>(host()));
  auto out = view.latest();
  const std::string lat = "kscope_syscall_latency_seconds";
  std::set<Labels> hist;
  uint64_t total = 0;
  for (const auto& s : find_family(*out, lat)->series) {
    hist.insert(s.labels);
    total += s.histogram->count();
  }
  EXPECT_EQ(hist, (std::set<Labels>{{{"syscall", "read"}, {"comm", "nginx"}},
                                     {{"syscall", "write"}, {"comm", "nginx"}},
                                     {{"syscall", "other"}, {"comm", "nginx"}},
                                     {{"syscall", "read"}, {"comm", "other"}},
                                     {{"syscall", "openat"}, {"comm", "other"}},
                                     {{"syscall", "other"}, {"comm", "other"}}}));
  EXPECT_EQ(total, 145u);  // nothing lost
  EXPECT_EQ(find(*out, lat, {{"syscall", "other"}, {"comm", "nginx"}})->histogram->count(), 31u);

  // Counters: every target, its busiest syscall by name, the rest "other".
  const std::string calls = "kscope_syscalls_total";
  EXPECT_EQ(find_family(*out, calls)->series.size(), 5u);  // ls has one syscall: no "other"
  EXPECT_EQ(find(*out, calls, {{"syscall", "read"}, {"comm", "nginx"}})->value, 50);
  EXPECT_EQ(find(*out, calls, {{"syscall", "other"}, {"comm", "nginx"}})->value, 71);
  EXPECT_EQ(find(*out, calls, {{"syscall", "openat"}, {"comm", "ls"}})->value, 3);
  EXPECT_EQ(find(*out, calls, {{"syscall", "other"}, {"comm", "redis"}})->value, 1);
  EXPECT_NEAR(find(*out, "kscope_syscall_seconds_total", {{"syscall", "openat"}, {"comm", "ls"}})->value,
              3 * 3e-3, 1e-3);

  // Run-queue: the target that waited most, the rest in other.
  EXPECT_EQ(find(*out, "kscope_runqueue_latency_seconds", {{"comm", "ksoftirqd/0"}})->histogram->count(), 2u);
  EXPECT_EQ(find(*out, "kscope_runqueue_latency_seconds", {{"comm", "other"}})->histogram->count(), 1u);
  // Other families pass through.
  EXPECT_NE(find(*out, "kscope_build_info", {{"version", "x"}}), nullptr);
}

TEST(MetricsView, WithoutBreakdownOnlySyscallsFold) {
  MetricsView view({5, 1, 1}, "");
  Snapshot s;
  Family lat{"kscope_syscall_latency_seconds", "", MetricType::kHistogram, {}};
  Histogram h;
  h.record_ns(1000);
  lat.series = {{{{"syscall", "read"}}, 0, h}, {{{"syscall", "write"}}, 0, h}, {{{"syscall", "read2"}}, 0, Histogram{}}};
  lat.series[0].histogram->record_ns(1000);
  s.families.push_back(lat);
  view.update(std::make_shared<Snapshot>(s));
  auto out = view.latest();
  EXPECT_EQ(find(*out, "kscope_syscall_latency_seconds", {{"syscall", "read"}})->histogram->count(), 2u);
  EXPECT_EQ(find(*out, "kscope_syscall_latency_seconds", {{"syscall", "other"}})->histogram->count(), 1u);
  EXPECT_EQ(find(*out, "kscope_syscalls_total", {{"syscall", "other"}})->value, 1);
}

// The snapshot's own series (what kscope's percentiles read) are untouched.
TEST(MetricsView, LeavesTheSnapshotAlone) {
  auto s = std::make_shared<const Snapshot>(host());
  const size_t before = s->find("kscope_syscall_latency_seconds")->series.size();
  MetricsView view({1, 1, 1}, "comm");
  view.update(s);
  EXPECT_EQ(s->find("kscope_syscall_latency_seconds")->series.size(), before);
  EXPECT_EQ(s->find("kscope_syscalls_total"), nullptr);
  // The families passed through are the snapshot's own, not copies.
  const Family* build_info = find_family(*view.latest(), "kscope_build_info");
  EXPECT_EQ(build_info, s->find("kscope_build_info"));
}

// The default shape under many targets stays far below what one histogram
// per (syscall, target) costs.
TEST(MetricsView, DefaultsBoundTheTextSeries) {
  Snapshot s;
  Family lat{"kscope_syscall_latency_seconds", "", MetricType::kHistogram, {}};
  Family runq{"kscope_runqueue_latency_seconds", "", MetricType::kHistogram, {}};
  for (int t = 0; t < 200; ++t) {
    for (int c = 0; c < 40; ++c) lat.series.push_back(call_series("sc" + std::to_string(c), "t" + std::to_string(t), 1 + c));
    runq.series.push_back({{{"comm", "t" + std::to_string(t)}}, 0, lat.series.back().histogram});
  }
  s.families = {lat, runq};
  MetricsView view(ExportConfig{}, "comm");
  view.update(std::make_shared<Snapshot>(s));
  std::string text = render_prometheus(view.latest()->families, default_le_seconds());
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  // 11 x 4 latency and 11 run-queue histograms (22 lines each), 200 x 6 x 2
  // counters, plus the HELP/TYPE lines.
  EXPECT_EQ(lines, (11 * 4 + 11) * 22 + 200 * 6 * 2 + 4 * 2) << text.substr(0, 2000);
}

// With node_exporter beside kscope, the host's node_* families stay in the
// snapshot (signals read them) but are not exported twice.
TEST(MetricsView, NodeFamiliesCanBeLeftToNodeExporter) {
  Snapshot s;
  s.families = {{"node_load1", "", MetricType::kGauge, {{{}, 0.5, {}}}},
                {"kscope_build_info", "", MetricType::kGauge, {{{}, 1, {}}}}};
  auto snap = std::make_shared<const Snapshot>(s);
  MetricsView shown(ExportConfig{}, "comm");
  shown.update(snap);
  EXPECT_NE(find_family(*shown.latest(), "node_load1"), nullptr);
  MetricsView hidden(ExportConfig{}, "comm");
  hidden.set_export_node_metrics(false);
  hidden.update(snap);
  EXPECT_EQ(find_family(*hidden.latest(), "node_load1"), nullptr);
  EXPECT_NE(find_family(*hidden.latest(), "kscope_build_info"), nullptr);
  EXPECT_NE(snap->find("node_load1"), nullptr);
}

}  // namespace kscope
