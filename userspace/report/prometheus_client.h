// A reader of Prometheus' HTTP API for `kscope report --prometheus`:
// range queries (/api/v1/query_range) over libcurl (net/http_client.h).
//
// Bounded three ways: the step is chosen so that no series has more than
// Prometheus' own limit of 11,000 points per query (a long window gets a
// coarser step, it is not refused); an answer larger than max_bytes is cut
// off in transfer and is an error; at most max_series series are kept from
// one answer (the rest are counted, not parsed).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace kscope {

// Prometheus refuses a query_range whose (end - start) / step exceeds this.
inline constexpr double kPrometheusMaxPoints = 11000;

// The step for a window: the smallest of 15 s, 30 s, 1, 2, 5, 10, 15, 30
// min, 1, 2, 3, 6, 12 h, 1 d that gives at most `target_points` steps (each
// divides a day, so a daily season is a whole number of steps), but never
// so fine that the window exceeds kPrometheusMaxPoints, and never finer than
// `min_step` (0: no minimum).
double choose_step(double window_seconds, double target_points, double min_step = 0);

struct PromSeries {
  std::map<std::string, std::string> labels;  // without __name__ unless the query kept it
  std::vector<std::pair<double, double>> points;  // unix seconds, value (NaN, +-Inf as Prometheus wrote them)
};

struct PromMatrix {
  std::vector<PromSeries> series;
  size_t dropped_series = 0;  // beyond max_series
  std::vector<std::string> warnings;
};

// Parses a /api/v1/query_range answer. {"status":"error"} becomes an Error
// carrying errorType and error as Prometheus wrote them; a resultType other
// than matrix, or a malformed answer, is an Error too. Keeps at most
// max_series series and max_points points per series.
Result<PromMatrix> parse_query_range(const nlohmann::json& body, size_t max_series, size_t max_points);

struct PrometheusOptions {
  std::string url;  // http(s)://host:port[/prefix]
  std::vector<std::string> headers;  // e.g. "Authorization: Bearer ..."
  int timeout_ms = 60000;
  size_t max_bytes = 64u << 20;
  size_t max_series = 2000;
};

class PrometheusClient {
 public:
  // Checks the URL's scheme; nothing is sent yet.
  static Result<PrometheusClient> create(PrometheusOptions options);

  // GET /api/v1/query_range. An HTTP error status with Prometheus' JSON
  // error body is reported with that body's message ("bad_data: 1:5: parse
  // error: ..."); without one, with the status and the body's start.
  Result<PromMatrix> query_range(const std::string& expr, double start, double end, double step) const;

  const std::string& url() const { return o_.url; }

 private:
  explicit PrometheusClient(PrometheusOptions o) : o_(std::move(o)) {}
  PrometheusOptions o_;
};

}  // namespace kscope
