// The model and text rendering of `kscope top`: one row per target, built
// from /api/v1/query answers, sorted by any column, drawn into a fixed
// terminal size without ever writing a raw byte a watched process (or
// whoever named a cgroup) chose: names go through printable().
//
// Four views, each a fixed list of columns:
//   processes  golden signals per comm (or per cgroup with --by cgroup),
//              from the probes;
//   services   the requests each process served (request capture,
//              probes.l7): HTTP requests per second, the share that
//              failed (5xx), p50/p95/p99, and database operations;
//   edges      the service map: a row per client -> server edge, from
//              /api/v1/services (not /api/v1/query), its rate, failing
//              share and percentiles over the agent's latest interval;
//   cgroups    resources per cgroup from the cgroup files (CPU and its limit
//              and throttling, memory against its limit, pressure, I/O, OOM
//              kills), named by the service or container the path says.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kscope {

enum class TopView { kProcesses, kServices, kEdges, kCgroups };

// The columns of each view, in the order they are drawn.
enum class TopColumn : size_t { kCpu, kSyscalls, kLatencyP99, kErrors, kBytes, kRunqueueP99, kOffcpu };
enum class CgroupColumn : size_t {
  kCpu,
  kCpuLimit,
  kThrottled,
  kMemory,
  kMemoryOfLimit,
  kPressureMemory,
  kPressureIo,
  kIo,
  kOomKills
};
enum class ServiceColumn : size_t { kRequests, kErrorRatio, kP50, kP95, kP99, kDbOperations, kDbP99 };
constexpr size_t index(TopColumn c) { return static_cast<size_t>(c); }
enum class EdgeColumn : size_t { kRequests, kErrorRatio, kP50, kP99 };
constexpr size_t index(ServiceColumn c) { return static_cast<size_t>(c); }
constexpr size_t index(EdgeColumn c) { return static_cast<size_t>(c); }
constexpr size_t index(CgroupColumn c) { return static_cast<size_t>(c); }

inline constexpr size_t kMaxTopColumns = 9;  // the widest view's

enum class TopFormat { kRate, kSeconds, kCores, kBytes, kPercent, kCount };

struct TopColumnInfo {
  const char* key;          // the --json key
  char letter;              // the sort key besides its number
  const char* header;       // at most width - 1 characters
  size_t width;             // cell width, the separating space included
  const char* description;  // for the sort line and --json
  const char* metric;       // the metric queried, with its label matchers
  const char* aggregation;  // as /api/v1/query names it
  TopFormat format;
  // A ratio column's divisor (value = metric / divisor per row, absent when
  // the divisor is 0 or missing); nullptr otherwise.
  const char* divisor = nullptr;
  const char* divisor_aggregation = nullptr;
  // A target the divisor has and the numerator lacks is 0 (a service with
  // requests and no failed one), not absent.
  bool absent_numerator_is_zero = false;
};

struct TopViewInfo {
  TopView view;
  const char* name;  // "processes", "services", "edges", "cgroups": --view and --json
  std::vector<TopColumnInfo> columns;
  // The label rows are keyed by; empty: the frame's `by` (--by).
  const char* key_label;
  // Labels queried beside the key that name the row, first non-empty wins
  // (the key itself otherwise).
  std::vector<const char*> name_labels;
};

const TopViewInfo& top_view(TopView view);
std::optional<TopView> parse_top_view(std::string_view name);
// The next view, for the interactive key.
TopView next_top_view(TopView view);

struct TopRow {
  std::string target;  // raw, as the API returned it (sanitized UTF-8)
  std::array<std::optional<double>, kMaxTopColumns> values{};
  std::string name;  // what is shown; empty: the target
};

struct TopFrame {
  std::string source;  // the URL, for the header
  std::chrono::system_clock::time_point time{};
  double window_seconds = 0;
  TopView view = TopView::kProcesses;
  std::string by = "comm";  // the processes and services views' breakdown label
  std::vector<TopRow> rows;
  std::array<bool, kMaxTopColumns> present{};  // the metric exists in the history
  size_t sort = 0;  // CPU, the first column of each view: the hot one first
  bool ascending = false;
  std::string status;  // last error, shown at the bottom
  // Said under the header when the agent's syscall figures are estimates
  // (its probes.syscalls.sampling mode); empty otherwise.
  std::string estimates;
};

// The label rows of `frame`'s view are keyed by, and the `by` its queries
// group on (the key and the naming labels, comma-separated).
std::string top_key_label(const TopFrame& frame);
std::string top_query_by(const TopFrame& frame);

// Adds one column's /api/v1/query answer (grouped by `key_label` and maybe
// naming labels) to the rows: the newest non-null value of each group.
// Returns whether the metric exists.
bool merge_query(std::vector<TopRow>& rows, size_t column, const nlohmann::json& answer, const std::string& key_label,
                 const std::vector<const char*>& name_labels = {});

// A ratio column from two answers: per target, the newest numerator over the
// newest divisor, absent when the divisor is 0 or missing, and when the
// numerator is missing unless absent_numerator_is_zero. Returns whether
// both metrics exist.
bool merge_ratio(std::vector<TopRow>& rows, size_t column, const nlohmann::json& numerator,
                 const nlohmann::json& divisor, const std::string& key_label,
                 const std::vector<const char*>& name_labels = {}, bool absent_numerator_is_zero = false);

// The edges view's rows from a /api/v1/services answer: "client -> server"
// (the server named "process address:port" when it is local), one per
// edge. Returns whether the answer had an edges list.
bool merge_edges(std::vector<TopRow>& rows, const nlohmann::json& services);

// Absent values sort last either way; ties by target name.
void sort_rows(std::vector<TopRow>& rows, size_t column, bool ascending);

// The frame as `height` lines (or fewer) of at most `width` columns each,
// ASCII only. With `ansi`, the sorted column's header is highlighted.
std::vector<std::string> render_top(const TopFrame& frame, size_t width, size_t height, bool ansi);

// {"time", "window_seconds", "view", "by", "columns": [...],
//  "rows": [{"target", "name", <column keys>: v|null}]}
nlohmann::json top_json(const TopFrame& frame);

// The column of `view` a key selects ('1'..'9' or the column's letter).
std::optional<size_t> column_for_key(TopView view, char key);

}  // namespace kscope
