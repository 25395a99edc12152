// What `kscope report` puts in its HTML page, fetched from a running kscope:
// each signal's host series over the window, its top targets, a trend for
// the saturation signals, the time until memory and each filesystem run out,
// and the alerts and flame graph captures when the alerts API answers.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "report/trend.h"
#include "top/api_client.h"

namespace kscope {

struct ReportSignalSpec {
  const char* key;          // an identifier: "syscalls", "runqueue_p99", ...
  const char* title;
  const char* metric;
  const char* aggregation;  // as /api/v1/query names it
  bool latency;             // values in seconds, else a rate
  bool saturation;          // gets a trend
  const char* alert_rule;   // the default rule whose threshold applies ("" none)
  double default_threshold; // that rule's default (dashboards/prometheus/alert_rules.yml)
};

const std::vector<ReportSignalSpec>& report_signal_specs();

struct ReportSignal {
  const ReportSignalSpec* spec = nullptr;
  bool found = false;  // the metric exists in the history
  std::vector<std::optional<double>> values;           // host, one per ReportData::timestamps
  std::vector<std::pair<std::string, double>> top;     // target (raw) and mean, highest first
  std::optional<double> threshold;
  std::string threshold_source;  // "alerts API" or "default rule"
  std::optional<Trend> trend;
};

// Something the host runs out of: memory available, or one filesystem's
// available bytes. Its series over the window and where its line goes.
struct ReportExhaustion {
  enum class Kind { kMemory, kFilesystem };
  Kind kind = Kind::kMemory;
  std::string name;  // "memory available", or the mountpoint (raw, as the API returned it)
  std::string device, fstype;  // filesystems only (raw)
  std::vector<double> timestamps;  // unix seconds, of its own query
  std::vector<std::optional<double>> available;  // bytes, one per timestamp
  std::optional<double> total;  // MemTotal, or the filesystem's size
  std::optional<Exhaustion> projection;  // nullopt: fewer than two points
};

// The metrics and selectors the exhaustion rows come from. Read-only
// images (squashfs snaps, ISOs, EROFS) are always full and never fill
// further: left out, as the FilesystemAlmostFull rule leaves them out (the
// host reader drops them already; the selector keeps the report right
// should that list change).
inline constexpr const char* kMemoryAvailableMetric = "node_memory_MemAvailable_bytes";
inline constexpr const char* kMemoryTotalMetric = "node_memory_MemTotal_bytes";
inline constexpr const char* kFilesystemAvailableMetric =
    "node_filesystem_avail_bytes{fstype!~\"squashfs|iso9660|erofs\"}";
inline constexpr const char* kFilesystemSizeMetric = "node_filesystem_size_bytes{fstype!~\"squashfs|iso9660|erofs\"}";
inline constexpr size_t kMaxReportFilesystems = 64;

struct ReportAlert {
  std::string rule, severity, state, target, summary, fired_at, resolved_at;
  std::optional<double> value, threshold;
};

struct ReportCapture {
  std::string id, rule, target, status, started;
  std::vector<std::pair<std::string, std::string>> files;  // name, URL
};

struct ReportData {
  std::string source;
  std::chrono::system_clock::time_point generated{};
  double window_seconds = 0;
  double step_seconds = 0;
  std::string by = "comm";
  std::vector<double> timestamps;  // unix seconds
  std::vector<ReportSignal> signals;
  // Memory first (when the host metrics are in the history), then the
  // filesystems by mountpoint.
  std::vector<ReportExhaustion> exhaustion;
  bool alerts_available = false;
  std::string alerts_note;  // why alerts are missing
  std::vector<ReportAlert> alerts;
  std::vector<ReportCapture> captures;
  // How far back the agent's history reaches (/api/v1/history: its oldest
  // frame), and how much it keeps; 0 when unknown.
  double history_oldest = 0;  // unix seconds
  double retention_seconds = 0;
};

// Fills signals from /api/v1/query answers; alerts and captures from
// /api/v1/alerts and /api/v1/captures when they answer.
Result<ReportData> fetch_report(const ApiClient& api, double window_seconds, const std::string& by, size_t top_n);

// Parsers of the API answers, separate for tests.
void apply_alerts_json(ReportData& data, const nlohmann::json& alerts);
void apply_captures_json(ReportData& data, const nlohmann::json& captures);
// The exhaustion rows from /api/v1/query answers (avg over the report's
// steps): memory grouped by nothing, filesystems by mountpoint,device,fstype;
// the totals' newest values. Computes each projection. An answer that did
// not find its metric adds no row.
void apply_exhaustion_json(ReportData& data, const nlohmann::json& memory, const nlohmann::json& memory_total,
                           const nlohmann::json& filesystems, const nlohmann::json& filesystem_sizes);
// Thresholds from the alerts API, else the defaults; then the trends.
void compute_trends(ReportData& data);
// The oldest frame and the retention from /api/v1/history.
void apply_history_json(ReportData& data, const nlohmann::json& history);

// The seconds of the window the history covers, when that is less than the
// window (by more than two steps: the agent has not run that long, or keeps
// less); nullopt when the window is covered. Falls back to the first point
// with data when /api/v1/history did not answer.
std::optional<double> history_covered_seconds(const ReportData& data);
// One sentence for the page and the terminal when the history covers less
// than the window ("the history covers only the last 10m of the 2h window
// asked for: ..."); empty when it covers it.
std::string coverage_note(const ReportData& data);

}  // namespace kscope
