#include "report/report_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "api/alert_answer.h"
#include "api/capture_answer.h"
#include "api/json_read.h"
#include "api/query_answer.h"
#include "common/time_format.h"

namespace kscope {
namespace {

// A span as people say it: "45s", "10m", "1h 30m" (rounded to the second).
std::string format_span(double seconds) {
  auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  const long long h = s / 3600, m = s % 3600 / 60, sec = s % 60;
  std::string out;
  if (h > 0) out += std::to_string(h) + "h";
  if (m > 0) out += (out.empty() ? "" : " ") + std::to_string(m) + "m";
  if (sec > 0 && h == 0) out += (out.empty() ? "" : " ") + std::to_string(sec) + "s";
  return out.empty() ? "0s" : out;
}

// The series of a found answer; null when the metric does not exist.
const std::vector<QueryAnswerSeries>* series_of(const QueryAnswer& answer) {
  return answer.found ? &answer.series : nullptr;
}

// A series' values, one per timestamp.
std::vector<std::optional<double>> values_at(const QueryAnswerSeries& s, size_t n) {
  std::vector<std::optional<double>> out(n);
  for (size_t i = 0; i < s.values.size() && i < n; ++i) out[i] = s.values[i];
  return out;
}

std::string label(const QueryAnswerSeries& s, const char* name) {
  const auto* v = s.label(name);
  return v ? *v : std::string();
}

}  // namespace

const std::vector<ReportSignalSpec>& report_signal_specs() {
  static const std::vector<ReportSignalSpec> kSpecs = {
      {"syscalls", "Traffic: syscalls per second", "kscope_syscall_latency_seconds", "rate", false, false, "", 0},
      {"bytes", "Traffic: bytes read and written per second", "kscope_syscall_bytes_total", "rate", false, false,
       "", 0},
      {"latency_p99", "Latency: p99 syscall latency (idle waits left out)",
       "kscope_syscall_latency_seconds{idle!=\"true\"}", "p99", true, false, "", 0},
      {"errors", "Errors: failed syscalls per second", "kscope_syscall_errors_total", "rate", false, false, "", 0},
      {"retransmits", "Errors: TCP retransmits per second", "kscope_tcp_retransmits_total", "rate", false, false,
       "TcpRetransmitsHigh", 10},
      {"runqueue_p99", "Saturation: p99 run-queue latency", "kscope_runqueue_latency_seconds", "p99", true, true,
       "RunQueueLatencyHigh", 0.05},
      {"offcpu", "Saturation: off-CPU seconds per second", "kscope_offcpu_seconds_total", "rate", false, true, "",
       0},
      {"cpu_samples", "Saturation: on-CPU samples per second", "kscope_cpu_samples_total", "rate", false, true, "",
       0},
  };
  return kSpecs;
}

void apply_alerts_json(ReportData& data, const nlohmann::json& j) {
  auto list = j.find("alerts");
  if (!j.is_object() || list == j.end() || !list->is_array()) return;
  data.alerts_available = true;
  for (const auto& item : *list) {
    if (!item.is_object()) continue;
    const auto a = item.get<AlertAnswer>();
    ReportAlert r;
    r.rule = a.rule;
    r.severity = a.severity;
    r.state = a.state;
    r.target = a.target.value_or("");
    r.fired_at = a.fired_at.value_or("");
    r.resolved_at = a.resolved_at.value_or("");
    r.value = a.value;
    r.threshold = a.threshold;
    if (auto summary = a.annotations.find("summary"); summary != a.annotations.end()) r.summary = summary->second;
    data.alerts.push_back(std::move(r));
  }
}

void apply_captures_json(ReportData& data, const nlohmann::json& j) {
  auto list = j.find("captures");
  if (!j.is_object() || list == j.end() || !list->is_array()) return;
  for (const auto& item : *list) {
    if (!item.is_object()) continue;
    const auto c = item.get<CaptureAnswer>();
    ReportCapture r;
    r.id = c.id;
    r.rule = c.rule;
    r.target = c.target.value_or("");
    r.status = c.status;
    r.started = c.started;
    for (const auto& [name, url] : c.files) r.files.emplace_back(name, url);
    data.captures.push_back(std::move(r));
  }
}

void apply_exhaustion_json(ReportData& data, const nlohmann::json& memory_json,
                           const nlohmann::json& memory_total_json, const nlohmann::json& filesystems_json,
                           const nlohmann::json& filesystem_sizes_json) {
  data.exhaustion.clear();
  const auto memory = memory_json.get<QueryAnswer>();
  const auto memory_total = memory_total_json.get<QueryAnswer>();
  const auto filesystems = filesystems_json.get<QueryAnswer>();
  const auto filesystem_sizes = filesystem_sizes_json.get<QueryAnswer>();
  if (const auto* mem = series_of(memory); mem && !mem->empty()) {
    ReportExhaustion e;
    e.kind = ReportExhaustion::Kind::kMemory;
    e.name = "memory available";
    e.timestamps = memory.timestamps;
    e.available = values_at((*mem)[0], e.timestamps.size());
    if (const auto* total = series_of(memory_total); total && !total->empty()) e.total = (*total)[0].newest();
    data.exhaustion.push_back(std::move(e));
  }
  const auto* fs = series_of(filesystems);
  if (!fs) return;
  const auto* sizes = series_of(filesystem_sizes);
  std::vector<ReportExhaustion> rows;
  for (const auto& s : *fs) {
    if (rows.size() >= kMaxReportFilesystems) continue;
    ReportExhaustion e;
    e.kind = ReportExhaustion::Kind::kFilesystem;
    e.name = label(s, "mountpoint");
    e.device = label(s, "device");
    e.fstype = label(s, "fstype");
    e.timestamps = filesystems.timestamps;
    e.available = values_at(s, e.timestamps.size());
    if (sizes) {
      for (const auto& z : *sizes) {
        if (label(z, "mountpoint") == e.name && label(z, "device") == e.device) e.total = z.newest();
      }
    }
    rows.push_back(std::move(e));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& r : rows) data.exhaustion.push_back(std::move(r));
  for (auto& e : data.exhaustion) e.projection = project_exhaustion(e.timestamps, e.available);
}

void compute_trends(ReportData& data) {
  for (auto& s : data.signals) {
    const std::string rule = s.spec->alert_rule;
    if (!rule.empty()) {
      for (const auto& a : data.alerts) {
        if (a.rule == rule && a.threshold) {
          s.threshold = a.threshold;
          s.threshold_source = "alerts API";
        }
      }
      if (!s.threshold) {
        s.threshold = s.spec->default_threshold;
        s.threshold_source = "default rule " + rule;
      }
    }
    if (s.spec->saturation) s.trend = project_trend(data.timestamps, s.values, s.threshold);
  }
}

void apply_history_json(ReportData& data, const nlohmann::json& j) {
  if (!j.is_object()) return;
  const auto frames = json_number(j, "frames");
  const auto oldest = json_number(j, "oldest");
  if (frames && *frames > 0 && oldest && *oldest > 0) data.history_oldest = *oldest;
  if (auto retention = json_number(j, "retention_seconds"); retention && *retention > 0) data.retention_seconds = *retention;
}

std::optional<double> history_covered_seconds(const ReportData& data) {
  const double now = std::chrono::duration<double>(data.generated.time_since_epoch()).count();
  double oldest = data.history_oldest;
  if (oldest <= 0) {
    // The first point any signal has a value at.
    for (size_t i = 0; i < data.timestamps.size() && oldest <= 0; ++i) {
      for (const auto& s : data.signals) {
        if (i < s.values.size() && s.values[i]) {
          oldest = data.timestamps[i];
          break;
        }
      }
    }
  }
  const double covered = oldest > 0 ? std::clamp(now - oldest, 0.0, data.window_seconds) : 0.0;
  if (covered + 2 * std::max(data.step_seconds, 1.0) >= data.window_seconds) return std::nullopt;
  return covered;
}

std::string coverage_note(const ReportData& data) {
  auto covered = history_covered_seconds(data);
  if (!covered) return "";
  const std::string window = format_span(data.window_seconds);
  std::string note;
  if (*covered > 0) {
    const auto since = data.generated - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                            std::chrono::duration<double>(*covered));
    note = "the history covers only the last " + format_span(*covered) + " of the " + window +
           " window asked for (from " + format_time(since, "%Y-%m-%d %H:%M:%S UTC") + ")";
  } else {
    note = "the history holds no data in the " + window + " window asked for";
  }
  if (data.retention_seconds > 0 && data.retention_seconds + 1 < data.window_seconds) {
    note += "; kscope run keeps at most " + format_span(data.retention_seconds) + " (history.retention)";
  }
  return note;
}

Result<ReportData> fetch_report(const ApiClient& api, double window_seconds, const std::string& by, size_t top_n) {
  ReportData data;
  data.source = api.url();
  data.generated = std::chrono::system_clock::now();
  data.window_seconds = window_seconds;
  data.by = by;
  // About 240 points a chart, never finer than a second.
  data.step_seconds = std::max(1.0, std::round(window_seconds / 240));
  char range[96];
  std::snprintf(range, sizeof range, "&start=-%.0fs&step=%.0fs", window_seconds, data.step_seconds);
  for (const auto& spec : report_signal_specs()) {
    ReportSignal s;
    s.spec = &spec;
    const std::string base = std::string("/api/v1/query?name=") + url_encode(spec.metric) + "&aggregation=" + spec.aggregation;
    auto host_json = api.get_json(base + range);
    if (!host_json) return host_json.error();
    const auto host = host_json->get<QueryAnswer>();
    s.found = host.found;
    if (data.timestamps.empty()) data.timestamps = host.timestamps;
    s.values.assign(data.timestamps.size(), std::nullopt);
    if (!host.series.empty()) s.values = values_at(host.series[0], data.timestamps.size());
    if (s.found && !by.empty()) {
      auto top_json = api.get_json(base + range + "&by=" + url_encode(by) + "&limit=" + std::to_string(top_n));
      if (!top_json) return top_json.error();
      for (const auto& t : top_json->get<QueryAnswer>().series) {
        if (t.mean) s.top.emplace_back(label(t, by.c_str()), *t.mean);
      }
    }
    data.signals.push_back(std::move(s));
  }
  {
    // Memory and filesystems: host series (avg) over the same range; the
    // totals only for "of how much".
    auto query = [&](const char* metric, const std::string& extra) {
      return api.get_json(std::string("/api/v1/query?name=") + url_encode(metric) + "&aggregation=avg" + range +
                          extra);
    };
    const std::string fs_by = "&by=" + url_encode("mountpoint,device,fstype") +
                              "&limit=" + std::to_string(kMaxReportFilesystems);
    auto mem = query(kMemoryAvailableMetric, "");
    if (!mem) return mem.error();
    auto mem_total = query(kMemoryTotalMetric, "");
    if (!mem_total) return mem_total.error();
    auto fs = query(kFilesystemAvailableMetric, fs_by);
    if (!fs) return fs.error();
    auto fs_size = query(kFilesystemSizeMetric, fs_by);
    if (!fs_size) return fs_size.error();
    apply_exhaustion_json(data, *mem, *mem_total, *fs, *fs_size);
  }
  auto alerts = api.get_json("/api/v1/alerts");
  if (alerts) {
    apply_alerts_json(data, *alerts);
    if (auto captures = api.get_json("/api/v1/captures")) apply_captures_json(data, *captures);
  } else {
    data.alerts_note = alerts.error().message();
  }
  if (auto history = api.get_json("/api/v1/history")) apply_history_json(data, *history);
  compute_trends(data);
  return data;
}

}  // namespace kscope
