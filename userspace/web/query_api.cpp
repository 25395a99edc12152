#include "web/query_api.h"

#include <cmath>
#include <cstdlib>

#include "api/query_answer.h"
#include "common/escape.h"
#include "query/selector.h"

namespace kscope {
namespace {

using Clock = std::chrono::system_clock;

// Year 2096: beyond it nanoseconds since the epoch overflow int64 soon after
// (2262), and a conversion past that is undefined (found by tests/fuzz).
constexpr double kMaxUnixSeconds = 4e9;

Result<Clock::time_point> parse_time(const std::string& text, Clock::time_point now) {
  if (text.empty() || text == "now") return now;
  if (text[0] == '-') {
    auto d = parse_duration(text.substr(1));
    if (!d) return d.error();
    return now - std::chrono::duration_cast<Clock::duration>(*d);
  }
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || errno != 0 || !std::isfinite(v) || v < 0 || v > kMaxUnixSeconds) {
    return Error("invalid time '" + text + "'", "use unix seconds, now, or -15m");
  }
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(v)));
}

Result<Nanos> parse_step(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() && *end == '\0') {
    if (errno != 0 || !std::isfinite(v) || v <= 0 || v > 1e9) return Error("invalid step '" + text + "'");
    return Nanos(static_cast<int64_t>(v * 1e9));
  }
  return parse_duration(text);
}

std::vector<std::string> split_labels(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    while (!part.empty() && part.back() == ' ') part.pop_back();
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "unknown";
}

}  // namespace

double unix_seconds(Clock::time_point t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

std::string dump_json(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<QuerySpec> query_spec_from_request(const HttpRequest& req, Clock::time_point now, Nanos interval) {
  return query_spec_from_params(
      [&req](const std::string& name) -> std::optional<std::string> {
        if (!req.has_param(name)) return std::nullopt;
        return req.param(name);
      },
      now, interval);
}

Result<QuerySpec> query_spec_from_params(const ParamGetter& get, Clock::time_point now, Nanos interval) {
  struct {
    const ParamGetter& get;
    std::string param(const std::string& n) const { return get(n).value_or(""); }
    bool has_param(const std::string& n) const { return get(n).has_value(); }
  } req{get};
  QuerySpec spec;
  std::string name_text = req.param("name");
  if (name_text.empty()) return Error("missing parameter 'name'", "e.g. name=kscope_syscall_latency_seconds");
  if (name_text.size() > 4096) return Error("parameter 'name' is too long");
  auto from_name = parse_selector(name_text, &spec.name);
  if (!from_name) return from_name.error().with_context("name");
  if (spec.name.empty()) return Error("parameter 'name' has no metric name");
  spec.matchers = std::move(*from_name);
  std::string match = req.param("match");
  if (match.size() > 4096) return Error("parameter 'match' is too long");
  auto matchers = parse_selector(match);
  if (!matchers) return matchers.error().with_context("match");
  for (auto& m : *matchers) spec.matchers.push_back(std::move(m));

  auto end = parse_time(req.param("end"), now);
  if (!end) return end.error().with_context("end");
  spec.end = *end;
  auto start = req.has_param("start") ? parse_time(req.param("start"), now)
                                      : Result<Clock::time_point>(spec.end - std::chrono::minutes(15));
  if (!start) return start.error().with_context("start");
  spec.start = *start;
  if (spec.end < spec.start) return Error("end is before start");

  if (req.has_param("step")) {
    auto step = parse_step(req.param("step"));
    if (!step) return step.error().with_context("step");
    if (*step <= Nanos(0)) return Error("step must be positive");
    spec.step = *step;
  } else {
    auto span = std::chrono::duration_cast<Nanos>(spec.end - spec.start);
    spec.step = std::max(interval, span / 300);
    if (spec.step <= Nanos(0)) spec.step = std::chrono::seconds(1);
  }
  const std::string agg = req.param("aggregation");
  auto stat = parse_statistic(agg);
  if (!stat) {
    return Error("unknown aggregation '" + agg + "'", "use avg, min, max, sum, rate, increase or pNN (p50, p99, p999)")
        .with_context("aggregation");
  }
  spec.stat = *stat;
  spec.by = split_labels(req.param("by"));
  if (spec.by.size() > 8) return Error("at most 8 labels in 'by'");
  if (req.has_param("limit")) {
    const std::string l = req.param("limit");
    char* e = nullptr;
    long v = std::strtol(l.c_str(), &e, 10);
    if (l.empty() || *e != '\0' || v < 0 || v > 100000) return Error("invalid limit '" + l + "'");
    spec.limit = static_cast<size_t>(v);
  }
  return spec;
}

nlohmann::json query_result_json(const QuerySpec& spec, const QueryResult& result) {
  QueryAnswer answer;
  answer.name = spec.name;
  answer.type = type_name(result.type);
  answer.aggregation = result.aggregation;
  answer.found = result.found;
  answer.start = unix_seconds(spec.start);
  answer.end = unix_seconds(spec.end);
  answer.step = std::chrono::duration<double>(spec.step).count();
  for (auto t : result.timestamps) answer.timestamps.push_back(unix_seconds(t));
  answer.series.reserve(result.series.size());
  for (const auto& s : result.series) {
    QueryAnswerSeries out;
    for (const auto& [k, v] : s.labels) out.labels[k] = sanitize_utf8(v);
    out.values.reserve(s.values.size());
    for (const auto& v : s.values) out.values.push_back(v);
    out.mean = s.mean;
    answer.series.push_back(std::move(out));
  }
  return answer;
}

HttpResponse handle_query(const History& history, const HttpRequest& req, Nanos interval) {
  if (req.method != "GET" && req.method != "HEAD") return HttpResponse::json_error(405, "use GET");
  auto spec = query_spec_from_request(req, Clock::now(), interval);
  if (!spec) return HttpResponse::json_error(400, spec.error().to_string());
  auto result = run_query(history, *spec);
  if (!result) return HttpResponse::json_error(400, result.error().to_string());
  return HttpResponse::json(dump_json(query_result_json(*spec, *result)));
}

}  // namespace kscope
