#include "report/prometheus_client.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "net/http_client.h"
#include "top/api_client.h"

namespace kscope {

double choose_step(double window_seconds, double target_points, double min_step) {
  static const double kSteps[] = {15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
  const double target = target_points > 0 ? target_points : 1;
  double step = kSteps[std::size(kSteps) - 1];
  for (double s : kSteps) {
    if (window_seconds / s <= target) {
      step = s;
      break;
    }
  }
  step = std::max(step, min_step);
  // Past the list (a window of decades): whole seconds, within the limit.
  if (window_seconds / step > kPrometheusMaxPoints) step = std::ceil(window_seconds / kPrometheusMaxPoints);
  return step;
}

namespace {

// Prometheus writes sample values as strings: "1.5", "NaN", "+Inf", "-Inf".
bool parse_value(const nlohmann::json& v, double& out) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s == "NaN") out = std::nan("");
  else if (s == "+Inf" || s == "Inf") out = HUGE_VAL;
  else if (s == "-Inf") out = -HUGE_VAL;
  else {
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0') return false;
  }
  return true;
}

Error malformed(const std::string& what) {
  return Error("Prometheus answered a query_range with a malformed body: " + what,
               "is the URL Prometheus' (or a compatible API's) base, e.g. http://prometheus:9090?");
}

}  // namespace

Result<PromMatrix> parse_query_range(const nlohmann::json& body, size_t max_series, size_t max_points) {
  if (!body.is_object()) return malformed("not a JSON object");
  const auto status = body.find("status");
  if (status == body.end() || !status->is_string()) return malformed("no status");
  if (*status != "success") {
    std::string type = body.value("errorType", std::string("error"));
    std::string msg = body.value("error", std::string("no message"));
    return Error("Prometheus refused the query: " + type + ": " + msg.substr(0, 500));
  }
  PromMatrix m;
  if (auto w = body.find("warnings"); w != body.end() && w->is_array()) {
    for (const auto& s : *w) {
      if (s.is_string() && m.warnings.size() < 10) m.warnings.push_back(s.get<std::string>().substr(0, 300));
    }
  }
  const auto data = body.find("data");
  if (data == body.end() || !data->is_object()) return malformed("no data");
  if (data->value("resultType", std::string()) != "matrix") return malformed("resultType is not matrix");
  const auto result = data->find("result");
  if (result == data->end() || !result->is_array()) return malformed("no result array");
  for (const auto& s : *result) {
    if (m.series.size() >= max_series) {
      ++m.dropped_series;
      continue;
    }
    if (!s.is_object()) return malformed("a series is not an object");
    PromSeries ps;
    if (auto metric = s.find("metric"); metric != s.end() && metric->is_object()) {
      for (const auto& [k, v] : metric->items()) {
        if (v.is_string()) ps.labels[k] = v.get<std::string>();
      }
    }
    const auto values = s.find("values");
    if (values == s.end() || !values->is_array()) return malformed("a series has no values");
    ps.points.reserve(std::min(values->size(), max_points));
    for (const auto& p : *values) {
      if (ps.points.size() >= max_points) break;
      double v = 0;
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !parse_value(p[1], v)) {
        return malformed("a point is not [time, \"value\"]");
      }
      ps.points.emplace_back(p[0].get<double>(), v);
    }
    m.series.push_back(std::move(ps));
  }
  return m;
}

Result<PrometheusClient> PrometheusClient::create(PrometheusOptions options) {
  const std::string& u = options.url;
  if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) {
    return Error("--prometheus '" + u.substr(0, 200) + "' is not an http:// or https:// URL",
                 "e.g. --prometheus http://prometheus:9090");
  }
  while (!options.url.empty() && options.url.back() == '/') options.url.pop_back();
  return PrometheusClient(std::move(options));
}

Result<PromMatrix> PrometheusClient::query_range(const std::string& expr, double start, double end,
                                                 double step) const {
  char range[160];
  std::snprintf(range, sizeof range, "&start=%.3f&end=%.3f&step=%.3f", start, end, step);
  const std::string url = o_.url + "/api/v1/query_range?query=" + url_encode(expr) + range;
  auto got = http_get(url, o_.headers, std::chrono::milliseconds(o_.timeout_ms), o_.max_bytes);
  if (!got) {
    // Name Prometheus, not the whole encoded query URL, in what the user sees.
    const std::string& msg = got.error().message();
    const size_t cut = msg.find(" failed: ");
    const std::string why = cut == std::string::npos ? msg : msg.substr(cut + 9);
    return Error("Prometheus at " + o_.url + " did not answer: " + why,
                 got.error().hint().empty() ? "is --prometheus the right URL, and Prometheus up?" : got.error().hint());
  }
  // Prometheus answers 400 (bad_data), 422 (execution) and 503 (timeout,
  // canceled) with the same JSON error shape as a 200's.
  auto body = nlohmann::json::parse(got->body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("status")) {
    std::string start_of = got->body.substr(0, 200);
    for (char& c : start_of) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return Error("Prometheus at " + o_.url + " answered HTTP " + std::to_string(got->status) +
                     " without a JSON body" + (start_of.empty() ? "" : ": " + start_of),
                 "is the URL Prometheus' base, e.g. http://prometheus:9090?");
  }
  const size_t max_points = static_cast<size_t>((end - start) / step) + 2;
  return parse_query_range(body, o_.max_series, max_points);
}

}  // namespace kscope
