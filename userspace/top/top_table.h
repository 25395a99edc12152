// The model and text rendering of `kscope top`: one row of golden signals
// per target (comm or cgroup), built from /api/v1/query answers, sorted by
// any column, drawn into a fixed terminal size without ever writing a raw
// byte a watched process chose (names go through printable()).
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kscope {

enum class TopColumn { kCpu, kSyscalls, kLatencyP99, kErrors, kBytes, kRunqueueP99, kOffcpu };
inline constexpr size_t kTopColumns = 7;

enum class TopFormat { kRate, kSeconds, kCores };

struct TopColumnInfo {
  TopColumn column;
  const char* header;       // at most 8 characters
  const char* description;  // for help and --json keys
  const char* metric;       // the metric queried
  const char* aggregation;  // as /api/v1/query names it
  TopFormat format;
};

const std::array<TopColumnInfo, kTopColumns>& top_columns();

struct TopRow {
  std::string target;  // raw, as the API returned it (sanitized UTF-8)
  std::array<std::optional<double>, kTopColumns> values{};
};

struct TopFrame {
  std::string source;  // the URL, for the header
  std::chrono::system_clock::time_point time{};
  double window_seconds = 0;
  std::string by = "comm";
  std::vector<TopRow> rows;
  std::array<bool, kTopColumns> present{};  // the metric exists in the history
  TopColumn sort = TopColumn::kCpu;  // the hot process first
  bool ascending = false;
  std::string status;  // last error, shown at the bottom
};

// Adds one column's /api/v1/query answer (grouped by `by`) to the rows: the
// newest non-null value of each group. Returns whether the metric exists.
bool merge_query(std::vector<TopRow>& rows, TopColumn column, const nlohmann::json& answer, const std::string& by);

// Absent values sort last either way; ties by target name.
void sort_rows(std::vector<TopRow>& rows, TopColumn column, bool ascending);

// The frame as `height` lines (or fewer) of at most `width` columns each,
// ASCII only. With `ansi`, the sorted column's header is highlighted.
std::vector<std::string> render_top(const TopFrame& frame, size_t width, size_t height, bool ansi);

// {"time", "window_seconds", "by", "columns": [...], "rows": [{"target", <column keys>: v|null}]}
nlohmann::json top_json(const TopFrame& frame);

// The column a key selects ('1'..'7' or the header's letter), if any.
std::optional<TopColumn> column_for_key(char key);

}  // namespace kscope
