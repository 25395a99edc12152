#include "top/top_table.h"
#include "common/time_format.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "api/query_answer.h"
#include "api/service_map_answer.h"
#include "common/escape.h"
#include "top/value_format.h"

namespace kscope {
namespace {

constexpr size_t kMinTargetWidth = 8;

std::string fit(std::string s, size_t width) {
  if (s.size() > width) {
    s.resize(width);
    if (width >= 2) s[width - 1] = '~';  // mark a cut name
  }
  return s;
}

std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s.substr(0, width) : std::string(width - s.size(), ' ') + s;
}

std::string pad_right(const std::string& s, size_t width) {
  return s.size() >= width ? s.substr(0, width) : s + std::string(width - s.size(), ' ');
}

std::string clock_time(std::chrono::system_clock::time_point t) { return format_time(t, "%H:%M:%S", false); }

std::string format_value(TopFormat f, const std::optional<double>& v) {
  switch (f) {
    case TopFormat::kSeconds: return format_opt(v, format_seconds);
    case TopFormat::kCores: return format_opt(v, format_cores);
    case TopFormat::kBytes: return format_opt(v, format_bytes);
    case TopFormat::kPercent: return format_opt(v, format_percent);
    case TopFormat::kCount: return format_opt(v, format_count);
    case TopFormat::kRate: break;
  }
  return format_opt(v, format_si);
}

TopViewInfo processes_view() {
  return {TopView::kProcesses,
          "processes",
          {
              // Cores kept busy, from the profiler's cpu-clock samples: which
              // process is hot, the first question.
              {"cpu_cores", 'c', "CPU", 9, "CPU cores busy (from samples)", "kscope_cpu_seconds_total", "rate",
               TopFormat::kCores},
              {"syscalls_per_second", 's', "SYSC/s", 9, "syscalls per second", "kscope_syscall_latency_seconds",
               "rate", TopFormat::kRate},
              // Idle waits (an event loop's epoll_wait, sleeps) are waiting for
              // work, not slowness: they stay out of the latency column.
              {"syscall_latency_p99_seconds", 'l', "LAT p99", 9, "p99 syscall latency, idle waits left out",
               "kscope_syscall_latency_seconds{idle!=\"true\"}", "p99", TopFormat::kSeconds},
              {"syscall_errors_per_second", 'e', "ERR/s", 9, "failed syscalls per second",
               "kscope_syscall_errors_total", "rate", TopFormat::kRate},
              {"bytes_per_second", 'b', "BYTES/s", 9, "bytes read and written per second",
               "kscope_syscall_bytes_total", "rate", TopFormat::kRate},
              {"runqueue_latency_p99_seconds", 'r', "RUNQ p99", 9, "p99 run-queue latency",
               "kscope_runqueue_latency_seconds", "p99", TopFormat::kSeconds},
              {"offcpu_seconds_per_second", 'o', "OFFCPU", 9, "off-CPU seconds per second",
               "kscope_offcpu_seconds_total", "rate", TopFormat::kRate},
          },
          "",
          {}};
}

TopViewInfo services_view() {
  // The server side: what each process answered, as its clients see it. A
  // 4xx is the client's error (OpenTelemetry's rule): only 5xx count.
  return {TopView::kServices,
          "services",
          {
              {"requests_per_second", 'r', "REQ/s", 9, "HTTP requests served per second",
               "http_server_request_duration_seconds", "rate", TopFormat::kRate},
              {"request_error_ratio", 'e', "ERR%", 8, "share of HTTP requests answered 5xx",
               "http_server_request_duration_seconds{http_response_status_code=~\"5..\"}", "rate",
               TopFormat::kPercent, "http_server_request_duration_seconds", "rate", true},
              {"request_p50_seconds", 'm', "P50", 9, "median HTTP request duration",
               "http_server_request_duration_seconds", "p50", TopFormat::kSeconds},
              {"request_p95_seconds", 'n', "P95", 9, "p95 HTTP request duration", "http_server_request_duration_seconds",
               "p95", TopFormat::kSeconds},
              {"request_p99_seconds", 'l', "P99", 9, "p99 HTTP request duration", "http_server_request_duration_seconds",
               "p99", TopFormat::kSeconds},
              {"db_operations_per_second", 'd', "DB/s", 9, "database operations served per second (Redis, PostgreSQL, MySQL)",
               "kscope_db_server_operation_duration_seconds", "rate", TopFormat::kRate},
              {"db_p99_seconds", 'b', "DB p99", 9, "p99 database operation duration",
               "kscope_db_server_operation_duration_seconds", "p99", TopFormat::kSeconds},
          },
          "",
          {}};
}

TopViewInfo edges_view() {
  // Filled from /api/v1/services (merge_edges), not queried per column.
  return {TopView::kEdges,
          "edges",
          {
              {"requests_per_second", 'r', "REQ/s", 9, "requests per second on the edge", "", "", TopFormat::kRate},
              {"error_ratio", 'e', "ERR%", 8, "share that failed (HTTP 5xx, database errors)", "", "",
               TopFormat::kPercent},
              {"p50_seconds", 'm', "P50", 9, "median request duration", "", "", TopFormat::kSeconds},
              {"p99_seconds", 'l', "P99", 9, "p99 request duration", "", "", TopFormat::kSeconds},
          },
          "",
          {}};
}

TopViewInfo cgroups_view() {
  // Widths fit the values' formats (cores "12.5", bytes "1023Mi", "100%")
  // so that nine columns leave a name column of 17 at 80 wide.
  return {TopView::kCgroups,
          "cgroups",
          {
              {"cpu_cores", 'c', "CPU", 7, "CPU cores used (cgroup CPU time)", "kscope_cgroup_cpu_seconds_total",
               "rate", TopFormat::kCores},
              {"cpu_limit_cores", 'l', "LIMIT", 7, "CPU limit in cores", "kscope_cgroup_cpu_limit_cores", "max",
               TopFormat::kCores},
              // Of the enforcement periods in which the cgroup ran, the share
              // its quota ran out in: cAdvisor's and the CPUThrottlingHigh
              // rule's measure of "held back by its limit".
              {"cpu_throttled_ratio", 't', "THROTL%", 8, "share of CPU periods throttled by the limit",
               "kscope_cgroup_cpu_throttled_periods_total", "increase", TopFormat::kPercent,
               "kscope_cgroup_cpu_periods_total", "increase"},
              // The working set, not usage: page cache the kernel can drop is
              // not what gets a cgroup OOM-killed.
              {"memory_working_set_bytes", 'm', "MEM", 7, "memory working set",
               "kscope_cgroup_memory_working_set_bytes", "avg", TopFormat::kBytes},
              {"memory_limit_ratio", 'u', "MEM%", 6, "memory working set over the limit",
               "kscope_cgroup_memory_working_set_bytes", "avg", TopFormat::kPercent,
               "kscope_cgroup_memory_limit_bytes", "max"},
              {"memory_pressure_ratio", 'p', "PSI-MEM", 8, "share of time a task stalled on memory (PSI some)",
               "kscope_cgroup_pressure_waiting_seconds_total{resource=\"memory\"}", "rate", TopFormat::kPercent},
              {"io_pressure_ratio", 'w', "PSI-IO", 7, "share of time a task stalled on I/O (PSI some)",
               "kscope_cgroup_pressure_waiting_seconds_total{resource=\"io\"}", "rate", TopFormat::kPercent},
              {"io_bytes_per_second", 'b', "IO/s", 7, "block I/O bytes read and written per second",
               "kscope_cgroup_io_bytes_total", "rate", TopFormat::kBytes},
              {"oom_kills", 'o', "OOM", 6, "OOM kills in the window",
               "kscope_cgroup_memory_events_total{event=\"oom_kill\"}", "increase", TopFormat::kCount},
          },
          "cgroup",
          {"service", "container_id", "pod_uid"}};
}

struct Newest {
  std::string target, name;
  double value;
};

// The newest non-null value of each group of an answer; nullopt when the
// metric does not exist.
std::optional<std::vector<Newest>> newest_values(const nlohmann::json& json, const std::string& key_label,
                                                 const std::vector<const char*>& name_labels) {
  const auto answer = json.get<QueryAnswer>();
  if (!answer.found) return std::nullopt;
  std::vector<Newest> out;
  for (const auto& s : answer.series) {
    Newest n{};
    if (const auto* t = s.label(key_label)) n.target = *t;
    for (const char* l : name_labels) {
      const auto* v = s.label(l);
      if (v && !v->empty()) {
        n.name = *v;
        break;
      }
    }
    auto value = s.newest();
    if (!value) continue;
    n.value = *value;
    out.push_back(std::move(n));
  }
  return out;
}

TopRow& row_for(std::vector<TopRow>& rows, const Newest& n) {
  auto row = std::find_if(rows.begin(), rows.end(), [&](const TopRow& r) { return r.target == n.target; });
  if (row == rows.end()) {
    rows.push_back(TopRow{n.target, {}, n.name});
    return rows.back();
  }
  if (row->name.empty()) row->name = n.name;
  return *row;
}

}  // namespace

const TopViewInfo& top_view(TopView view) {
  static const TopViewInfo kProcesses = processes_view();
  static const TopViewInfo kServices = services_view();
  static const TopViewInfo kEdges = edges_view();
  static const TopViewInfo kCgroups = cgroups_view();
  switch (view) {
    case TopView::kServices: return kServices;
    case TopView::kEdges: return kEdges;
    case TopView::kCgroups: return kCgroups;
    case TopView::kProcesses: break;
  }
  return kProcesses;
}

std::optional<TopView> parse_top_view(std::string_view name) {
  for (TopView v : {TopView::kProcesses, TopView::kServices, TopView::kEdges, TopView::kCgroups}) {
    if (name == top_view(v).name) return v;
  }
  return std::nullopt;
}

TopView next_top_view(TopView view) {
  switch (view) {
    case TopView::kProcesses: return TopView::kServices;
    case TopView::kServices: return TopView::kEdges;
    case TopView::kEdges: return TopView::kCgroups;
    case TopView::kCgroups: break;
  }
  return TopView::kProcesses;
}

std::string top_key_label(const TopFrame& frame) {
  const char* key = top_view(frame.view).key_label;
  return *key ? key : frame.by;
}

std::string top_query_by(const TopFrame& frame) {
  std::string by = top_key_label(frame);
  for (const char* l : top_view(frame.view).name_labels) by += std::string(",") + l;
  return by;
}

bool merge_query(std::vector<TopRow>& rows, size_t column, const nlohmann::json& answer, const std::string& key_label,
                 const std::vector<const char*>& name_labels) {
  auto values = newest_values(answer, key_label, name_labels);
  if (!values) return false;
  if (column >= kMaxTopColumns) return true;
  for (const auto& n : *values) row_for(rows, n).values[column] = n.value;
  return true;
}

bool merge_ratio(std::vector<TopRow>& rows, size_t column, const nlohmann::json& numerator,
                 const nlohmann::json& divisor, const std::string& key_label,
                 const std::vector<const char*>& name_labels, bool absent_numerator_is_zero) {
  auto num = newest_values(numerator, key_label, name_labels);
  auto div = newest_values(divisor, key_label, name_labels);
  if (!num || !div) return false;
  if (column >= kMaxTopColumns) return true;
  for (const auto& n : *num) {
    auto d = std::find_if(div->begin(), div->end(), [&](const Newest& x) { return x.target == n.target; });
    if (d == div->end() || !(d->value > 0) || !std::isfinite(n.value)) continue;
    row_for(rows, n).values[column] = n.value / d->value;
  }
  if (absent_numerator_is_zero) {
    for (const auto& d : *div) {
      bool has = std::any_of(num->begin(), num->end(), [&](const Newest& x) { return x.target == d.target; });
      if (!has && d.value > 0) row_for(rows, d).values[column] = 0.0;
    }
  }
  return true;
}

bool merge_edges(std::vector<TopRow>& rows, const nlohmann::json& services) {
  const auto answer = services.get<ServiceMapAnswer>();
  if (!answer.has_edges) return false;
  for (const auto& e : answer.edges) {
    if (e.server_address.empty() && e.server_port.empty()) continue;
    std::string address = e.server_address;
    if (address.find(':') != std::string::npos) address = "[" + address + "]";
    std::string where = address + ":" + e.server_port;
    std::string process = e.server_process.value_or("");
    TopRow row;
    row.target = e.client + " -> " + (process.empty() ? where : process + " " + where) + " (" + e.protocol + ")";
    row.values[index(EdgeColumn::kRequests)] = e.requests_per_second;
    row.values[index(EdgeColumn::kErrorRatio)] = e.error_ratio;
    row.values[index(EdgeColumn::kP50)] = e.p50_seconds;
    row.values[index(EdgeColumn::kP99)] = e.p99_seconds;
    rows.push_back(std::move(row));
  }
  return true;
}

void sort_rows(std::vector<TopRow>& rows, size_t column, bool ascending) {
  const size_t col = std::min(column, kMaxTopColumns - 1);
  std::stable_sort(rows.begin(), rows.end(), [&](const TopRow& a, const TopRow& b) {
    const auto& va = a.values[col];
    const auto& vb = b.values[col];
    if (va.has_value() != vb.has_value()) return va.has_value();
    if (va && *va != *vb) return ascending ? *va < *vb : *va > *vb;
    return a.target < b.target;
  });
}

std::vector<std::string> render_top(const TopFrame& frame, size_t width, size_t height, bool ansi) {
  std::vector<std::string> lines;
  if (width == 0 || height == 0) return lines;
  const TopViewInfo& view = top_view(frame.view);
  const auto& cols = view.columns;
  const TopColumnInfo& sorted = cols[std::min(frame.sort, cols.size() - 1)];

  char window[32];
  std::snprintf(window, sizeof window, "%.0fs", frame.window_seconds);
  lines.push_back(fit(std::string("kscope top ") + view.name + "  " + printable(frame.source) + "  " +
                          clock_time(frame.time) + "  window " + window + "  " + std::to_string(frame.rows.size()) +
                          " targets",
                      width));
  std::string letters;
  for (const auto& c : cols) letters += c.letter;
  lines.push_back(fit(std::string("sort: ") + sorted.description + (frame.ascending ? " (ascending)" : "") +
                          "   keys: 1-" + std::to_string(cols.size()) + "/" + letters +
                          " sort, i invert, v view, q quit",
                      width));
  if (!frame.estimates.empty()) lines.push_back(fit(printable(frame.estimates), width));

  size_t values_width = 0;
  for (const auto& c : cols) values_width += c.width;
  const size_t target_width = std::max(kMinTargetWidth, width > values_width ? width - values_width : 0);
  const std::string key = top_key_label(frame);
  std::string header = pad_right(fit(printable(key.empty() ? "TARGET" : key), target_width), target_width);
  for (auto& ch : header) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string header_plain = header;
  for (size_t i = 0; i < cols.size(); ++i) {
    std::string cell = pad_left(cols[i].header, cols[i].width);
    header_plain += cell;
    // Highlighting adds no visible width: escape codes are zero-width.
    header += (ansi && i == frame.sort) ? "\x1b[7m" + cell + "\x1b[0m" : cell;
  }
  lines.push_back(header_plain.size() > width ? fit(header_plain, width) : header);

  const size_t footer = frame.status.empty() ? 0 : 1;
  const size_t room = height > lines.size() + footer ? height - lines.size() - footer : 0;
  for (size_t i = 0; i < frame.rows.size() && i < room; ++i) {
    const TopRow& r = frame.rows[i];
    std::string line = pad_right(fit(printable(r.name.empty() ? r.target : r.name), target_width), target_width);
    for (size_t c = 0; c < cols.size() && c < kMaxTopColumns; ++c) {
      std::string cell = frame.present[c] ? format_value(cols[c].format, r.values[c]) : "n/a";
      line += pad_left(cell, cols[c].width);
    }
    lines.push_back(fit(line, width));
  }
  if (footer && lines.size() < height) lines.push_back(fit(printable(frame.status), width));
  if (lines.size() > height) lines.resize(height);
  return lines;
}

nlohmann::json top_json(const TopFrame& frame) {
  const auto& cols = top_view(frame.view).columns;
  nlohmann::json columns = nlohmann::json::array();
  for (size_t i = 0; i < cols.size() && i < kMaxTopColumns; ++i) {
    const auto& c = cols[i];
    nlohmann::json col = {{"key", c.key},
                          {"description", c.description},
                          {"metric", c.metric},
                          {"aggregation", c.aggregation},
                          {"present", frame.present[i]}};
    if (c.divisor) {
      col["divisor"] = c.divisor;
      col["divisor_aggregation"] = c.divisor_aggregation;
    }
    columns.push_back(std::move(col));
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : frame.rows) {
    nlohmann::json row = {{"target", sanitize_utf8(r.target)},
                          {"name", sanitize_utf8(r.name.empty() ? r.target : r.name)}};
    for (size_t i = 0; i < cols.size() && i < kMaxTopColumns; ++i) {
      const auto& v = r.values[i];
      row[cols[i].key] = v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
    }
    rows.push_back(std::move(row));
  }
  return {{"time", std::chrono::duration<double>(frame.time.time_since_epoch()).count()},
          {"window_seconds", frame.window_seconds},
          {"view", top_view(frame.view).name},
          {"by", sanitize_utf8(top_key_label(frame))},
          {"syscall_estimates", frame.estimates.empty() ? nlohmann::json() : nlohmann::json(frame.estimates)},
          {"columns", columns},
          {"rows", rows}};
}

std::optional<size_t> column_for_key(TopView view, char key) {
  const auto& cols = top_view(view).columns;
  if (key >= '1' && key < static_cast<char>('1' + cols.size())) return static_cast<size_t>(key - '1');
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].letter == key) return i;
  }
  return std::nullopt;
}

}  // namespace kscope
