#include "top/top_table.h"
#include "common/time_format.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "common/escape.h"
#include "top/value_format.h"

namespace kscope {
namespace {

constexpr size_t kValueWidth = 9;  // one space and eight characters
constexpr size_t kMinTargetWidth = 8;

const char* kKeys = "cslebro";  // the letter of each column, in order

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

std::string json_key(const TopColumnInfo& c) {
  switch (c.column) {
    case TopColumn::kCpu: return "cpu_cores";
    case TopColumn::kSyscalls: return "syscalls_per_second";
    case TopColumn::kLatencyP99: return "syscall_latency_p99_seconds";
    case TopColumn::kErrors: return "syscall_errors_per_second";
    case TopColumn::kBytes: return "bytes_per_second";
    case TopColumn::kRunqueueP99: return "runqueue_latency_p99_seconds";
    case TopColumn::kOffcpu: return "offcpu_seconds_per_second";
  }
  return "";
}

}  // namespace

const std::array<TopColumnInfo, kTopColumns>& top_columns() {
  static const std::array<TopColumnInfo, kTopColumns> kColumns = {{
      // Cores kept busy, from the profiler's cpu-clock samples: which
      // process is hot, the first question.
      {TopColumn::kCpu, "CPU", "CPU cores busy (from samples)", "kscope_cpu_seconds_total", "rate",
       TopFormat::kCores},
      {TopColumn::kSyscalls, "SYSC/s", "syscalls per second", "kscope_syscall_latency_seconds", "rate",
       TopFormat::kRate},
      // Idle waits (an event loop's epoll_wait, sleeps) are waiting for work,
      // not slowness: they stay out of the latency column.
      {TopColumn::kLatencyP99, "LAT p99", "p99 syscall latency, idle waits left out",
       "kscope_syscall_latency_seconds{idle!=\"true\"}", "p99", TopFormat::kSeconds},
      {TopColumn::kErrors, "ERR/s", "failed syscalls per second", "kscope_syscall_errors_total", "rate",
       TopFormat::kRate},
      {TopColumn::kBytes, "BYTES/s", "bytes read and written per second", "kscope_syscall_bytes_total", "rate",
       TopFormat::kRate},
      {TopColumn::kRunqueueP99, "RUNQ p99", "p99 run-queue latency", "kscope_runqueue_latency_seconds", "p99",
       TopFormat::kSeconds},
      {TopColumn::kOffcpu, "OFFCPU", "off-CPU seconds per second", "kscope_offcpu_seconds_total", "rate",
       TopFormat::kRate},
  }};
  return kColumns;
}

bool merge_query(std::vector<TopRow>& rows, TopColumn column, const nlohmann::json& answer, const std::string& by) {
  if (!answer.is_object() || !answer.value("found", false)) return false;
  const auto& series = answer.find("series");
  if (series == answer.end() || !series->is_array()) return true;
  const size_t col = static_cast<size_t>(column);
  for (const auto& s : *series) {
    if (!s.is_object()) continue;
    std::string target;
    if (auto l = s.find("labels"); l != s.end() && l->is_object()) {
      if (auto v = l->find(by); v != l->end() && v->is_string()) target = v->get<std::string>();
    }
    std::optional<double> newest;
    if (auto vals = s.find("values"); vals != s.end() && vals->is_array()) {
      for (auto it = vals->rbegin(); it != vals->rend(); ++it) {
        if (it->is_number()) {
          newest = it->get<double>();
          break;
        }
      }
    }
    if (!newest) continue;
    auto row = std::find_if(rows.begin(), rows.end(), [&](const TopRow& r) { return r.target == target; });
    if (row == rows.end()) {
      rows.push_back(TopRow{target, {}});
      row = rows.end() - 1;
    }
    row->values[col] = newest;
  }
  return true;
}

void sort_rows(std::vector<TopRow>& rows, TopColumn column, bool ascending) {
  const size_t col = static_cast<size_t>(column);
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
  const auto& cols = top_columns();
  const TopColumnInfo& sorted = cols[static_cast<size_t>(frame.sort)];

  char window[32];
  std::snprintf(window, sizeof window, "%.0fs", frame.window_seconds);
  lines.push_back(fit("kscope top  " + printable(frame.source) + "  " + clock_time(frame.time) + "  window " +
                          window + "  " + std::to_string(frame.rows.size()) + " targets",
                      width));
  lines.push_back(fit(std::string("sort: ") + sorted.description + (frame.ascending ? " (ascending)" : "") +
                          "   keys: 1-" + std::to_string(kTopColumns) + "/" + kKeys + " sort, i invert, q quit",
                      width));

  const size_t target_width =
      std::max(kMinTargetWidth, width > kTopColumns * kValueWidth ? width - kTopColumns * kValueWidth : 0);
  std::string header = pad_right(fit(printable(frame.by.empty() ? "TARGET" : frame.by), target_width), target_width);
  for (auto& ch : header) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string header_plain = header;
  for (const auto& c : cols) {
    std::string cell = pad_left(c.header, kValueWidth);
    header_plain += cell;
    // Highlighting adds no visible width: escape codes are zero-width.
    header += (ansi && c.column == frame.sort) ? "\x1b[7m" + cell + "\x1b[0m" : cell;
  }
  lines.push_back(header_plain.size() > width ? fit(header_plain, width) : header);

  const size_t footer = frame.status.empty() ? 0 : 1;
  const size_t room = height > lines.size() + footer ? height - lines.size() - footer : 0;
  for (size_t i = 0; i < frame.rows.size() && i < room; ++i) {
    const TopRow& r = frame.rows[i];
    std::string line = pad_right(fit(printable(r.target), target_width), target_width);
    for (const auto& c : cols) {
      const auto& v = r.values[static_cast<size_t>(c.column)];
      std::string cell = !frame.present[static_cast<size_t>(c.column)] ? "n/a"
                         : c.format == TopFormat::kSeconds ? format_opt(v, format_seconds)
                         : c.format == TopFormat::kCores   ? format_opt(v, format_cores)
                                                           : format_opt(v, format_si);
      line += pad_left(cell, kValueWidth);
    }
    lines.push_back(fit(line, width));
  }
  if (footer && lines.size() < height) lines.push_back(fit(printable(frame.status), width));
  if (lines.size() > height) lines.resize(height);
  return lines;
}

nlohmann::json top_json(const TopFrame& frame) {
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : top_columns()) {
    columns.push_back({{"key", json_key(c)},
                       {"description", c.description},
                       {"metric", c.metric},
                       {"aggregation", c.aggregation},
                       {"present", frame.present[static_cast<size_t>(c.column)]}});
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : frame.rows) {
    nlohmann::json row = {{"target", sanitize_utf8(r.target)}};
    for (const auto& c : top_columns()) {
      const auto& v = r.values[static_cast<size_t>(c.column)];
      row[json_key(c)] = v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
    }
    rows.push_back(std::move(row));
  }
  return {{"time", std::chrono::duration<double>(frame.time.time_since_epoch()).count()},
          {"window_seconds", frame.window_seconds},
          {"by", sanitize_utf8(frame.by)},
          {"columns", columns},
          {"rows", rows}};
}

std::optional<TopColumn> column_for_key(char key) {
  if (key >= '1' && key < static_cast<char>('1' + kTopColumns)) return static_cast<TopColumn>(key - '1');
  for (size_t i = 0; i < kTopColumns; ++i) {
    if (kKeys[i] == key) return static_cast<TopColumn>(i);
  }
  return std::nullopt;
}

}  // namespace kscope
