// What `kscope report` puts in its HTML page, fetched from a running kscope:
// each signal's host series over the window, its top targets, a trend for
// the saturation signals, and the alerts and flame graph captures when the
// alerts API answers.
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
