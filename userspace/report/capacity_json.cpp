#include "report/capacity_json.h"

#include <cmath>

namespace kscope {
namespace {

nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }
nlohmann::json num(const std::optional<double>& v) { return v ? num(*v) : nlohmann::json(); }

}  // namespace

nlohmann::json series_analysis_json(const SeriesAnalysis& a) {
  nlohmann::json j;
  j["instance"] = a.instance;
  j["labels"] = a.labels;
  j["points"] = a.series.finite_count();
  j["first"] = a.series.values.empty() ? nlohmann::json() : num(a.series.start);
  j["last_time"] = a.series.values.empty() ? nlohmann::json() : num(a.series.end());
  j["last"] = num(a.last);
  j["capacity"] = num(a.capacity);
  if (a.baseline) {
    const Baseline& b = *a.baseline;
    j["baseline"] = {{"count", b.count},       {"outliers", b.outliers}, {"p50", num(b.p50)},
                     {"p95", num(b.p95)},       {"p99", num(b.p99)},      {"mean", num(b.mean)},
                     {"stddev", num(b.stddev)}, {"min", num(b.min)},      {"max", num(b.max)}};
  } else {
    j["baseline"] = nullptr;
  }
  if (a.trend) {
    const double per_day = a.trend->slope * 86400;
    const double mean = a.baseline ? a.baseline->mean : 0;
    j["trend"] = {{"slope_per_day", num(per_day)},
                  {"relative_per_day", mean != 0 ? num(per_day / std::fabs(mean)) : nlohmann::json()},
                  {"r2", num(a.trend->r2)}};
  } else {
    j["trend"] = nullptr;
  }
  j["seasonality"] = nlohmann::json::array();
  for (const auto& s : a.seasonality) {
    j["seasonality"].push_back({{"name", s.name},
                                {"period_seconds", s.period_seconds},
                                {"tested", s.tested},
                                {"autocorrelation", s.tested ? num(s.autocorrelation) : nlohmann::json()},
                                {"significant", s.significant}});
  }
  if (a.model) {
    const HoltWintersParams& p = a.model->params;
    j["model"] = {{"kind", "holt_winters_additive"},
                  {"seasonal_period_seconds", num(a.model_period_seconds)},
                  {"alpha", p.alpha},
                  {"beta", p.beta},
                  {"gamma", p.period > 0 ? num(p.gamma) : nlohmann::json()},
                  {"phi", p.phi},
                  {"sigma", num(a.model->sigma)}};
  } else {
    j["model"] = nullptr;
  }
  if (a.peak) {
    j["forecast"] = {{"horizon_end", num(a.series.end() + static_cast<double>(a.forecast.size()) * a.series.step)},
                     {"peak", num(a.peak->mean)},
                     {"peak_time", num(a.peak->time)},
                     {"peak_lower", num(a.peak->lower)},
                     {"peak_upper", num(a.peak->upper)},
                     {"recommended_capacity", num(a.recommended_capacity)},
                     {"exceeds_capacity", a.capacity && a.recommended_capacity
                                              ? nlohmann::json(*a.recommended_capacity > *a.capacity)
                                              : nlohmann::json()}};
  } else {
    j["forecast"] = nullptr;
  }
  if (a.exhaustion) {
    const ExhaustionEstimate& e = *a.exhaustion;
    j["exhaustion"] = {{"limit", num(e.limit)},
                       {"exhausted_now", e.exhausted_now},
                       {"time", num(e.time)},
                       {"earliest", num(e.earliest)},
                       {"latest", num(e.latest)},
                       {"seconds", e.time ? num(*e.time - a.series.end()) : nlohmann::json()}};
  } else {
    j["exhaustion"] = nullptr;
  }
  j["anomalies"] = nlohmann::json::array();
  for (const auto& an : a.anomalies) {
    j["anomalies"].push_back({{"start", num(an.start)},
                              {"end", num(an.end)},
                              {"peak_time", num(an.peak_time)},
                              {"value", num(an.value)},
                              {"expected", num(an.expected)},
                              {"score", num(an.score)}});
  }
  j["note"] = a.note;
  return j;
}

nlohmann::json capacity_report_json(const CapacityReport& r) {
  nlohmann::json j;
  j["version"] = kCapacityJsonVersion;
  j["source"] = "prometheus";
  j["prometheus"] = r.url;
  j["match"] = r.match;
  j["generated"] = num(r.generated);
  j["window"] = {{"start", num(r.start)}, {"end", num(r.end)}, {"step_seconds", num(r.step)}};
  j["options"] = {{"horizon_seconds", num(r.options.horizon_seconds)},
                  {"headroom", num(r.options.headroom)},
                  {"anomaly_sigma", num(r.options.anomaly_sigma)},
                  {"interval_z", num(r.options.confidence_z)},
                  {"damped", r.options.damped}};
  j["hosts"] = r.hosts;
  j["warnings"] = r.warnings;
  j["signals"] = nlohmann::json::array();
  for (const auto& s : r.signals) {
    nlohmann::json sj;
    sj["key"] = s.spec->key;
    sj["title"] = s.spec->title;
    sj["unit"] = s.spec->unit;
    sj["finite"] = *s.spec->capacity != '\0';
    sj["query"] = s.query;
    sj["found"] = s.found;
    sj["note"] = s.note;
    sj["dropped_series"] = s.dropped_series;
    sj["series"] = nlohmann::json::array();
    for (const auto& a : s.series) sj["series"].push_back(series_analysis_json(a));
    j["signals"].push_back(std::move(sj));
  }
  return j;
}

}  // namespace kscope
