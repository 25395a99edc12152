#include "report/capacity_html.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "common/escape.h"
#include "common/time_format.h"
#include "report/report_html.h"
#include "top/value_format.h"

namespace kscope {
namespace {

std::string utc(double unix_seconds) {
  const auto t = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(unix_seconds)));
  return format_time(t, "%Y-%m-%d %H:%M UTC");
}

std::string in_unit(const std::string& unit, double v) {
  if (!std::isfinite(v)) return "-";
  const std::string sign = v < 0 ? "-" : "";
  const double a = std::fabs(v);
  if (unit == "bytes") return sign + format_bytes(a);
  if (unit == "seconds") return sign + format_seconds(a);
  if (unit == "cores") return sign + format_cores(a);
  if (unit == "ratio") return sign + format_percent(a);
  return sign + format_si(a);
}

std::string number(const char* fmt, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string opt_unit(const std::string& unit, const std::optional<double>& v) { return v ? in_unit(unit, *v) : "-"; }

std::string row_name(const SeriesAnalysis& a) {
  std::string extra;
  for (const auto& [k, v] : a.labels) {
    if (k == "instance") continue;
    extra += (extra.empty() ? "" : ", ") + k + "=" + v;
  }
  return extra;
}

std::string exhaustion_text(const SeriesAnalysis& a) {
  if (!a.exhaustion) return "<span class=\"muted\">-</span>";
  const ExhaustionEstimate& e = *a.exhaustion;
  if (e.exhausted_now) return "<span class=\"rising\">exhausted now</span>";
  if (!e.time) {
    return e.earliest ? "<span class=\"muted\">not expected; at worst " + escape_xml(utc(*e.earliest)) + "</span>"
                      : "<span class=\"ok\">not within 2 years</span>";
  }
  std::string h = "<span class=\"rising\">" + escape_xml(utc(*e.time)) + "</span> <span class=\"muted\">(";
  h += e.earliest ? escape_xml(utc(*e.earliest)) : "?";
  h += " &#8211; ";
  h += e.latest ? escape_xml(utc(*e.latest)) : "later";
  return h + ")</span>";
}

std::string seasonality_text(const SeriesAnalysis& a) {
  std::string out;
  for (const auto& s : a.seasonality) {
    if (!s.significant) continue;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s (r=%.2f)", s.name.c_str(), s.autocorrelation);
    out += (out.empty() ? "" : ", ") + std::string(buf);
  }
  return out.empty() ? "<span class=\"muted\">none</span>" : escape_xml(out);
}

std::string trend_text(const std::string& unit, const SeriesAnalysis& a) {
  if (!a.trend) return "-";
  const double per_day = a.trend->slope * 86400;
  std::string h = (per_day >= 0 ? "+" : "") + in_unit(unit, per_day) + "/day";
  if (a.baseline && a.baseline->mean != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%+.1f%%)", 100 * per_day / std::fabs(a.baseline->mean));
    h += buf;
  }
  return escape_xml(h);
}

// Downsamples [first, last) of a forecast to at most `max_points`, keeping
// each bucket's highest mean (peaks matter in capacity, not averages).
nlohmann::json forecast_columns(const SeriesAnalysis& a, size_t max_points) {
  nlohmann::json t = nlohmann::json::array(), mean = t, lo = t, hi = t;
  const size_t n = a.forecast.size();
  const size_t bucket = std::max<size_t>(1, (n + max_points - 1) / max_points);
  for (size_t i = 0; i < n; i += bucket) {
    size_t best = i;
    for (size_t k = i; k < std::min(n, i + bucket); ++k) {
      if (a.forecast[k].mean > a.forecast[best].mean) best = k;
    }
    t.push_back(a.series.end() + static_cast<double>(best + 1) * a.series.step);
    mean.push_back(a.forecast[best].mean);
    lo.push_back(a.forecast[best].lower);
    hi.push_back(a.forecast[best].upper);
  }
  return {{"t", t}, {"mean", mean}, {"lo", lo}, {"hi", hi}};
}

nlohmann::json observed_columns(const SeriesAnalysis& a) {
  nlohmann::json t = nlohmann::json::array(), v = t;
  for (size_t i = 0; i < a.series.values.size(); ++i) {
    t.push_back(a.series.time_at(i));
    const double x = a.series.values[i];
    v.push_back(std::isfinite(x) ? nlohmann::json(x) : nlohmann::json());
  }
  return {{"t", t}, {"v", v}};
}

const char* kStyle = R"(
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}h3{font-size:1em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{padding:.2em .5em;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}.chart{margin:.5em 0}
.rising{color:#b00}.ok{color:#070}code{font-size:.85em}
)";

const char* kScript = R"(
(function(){
  var data = JSON.parse(document.getElementById('capacity-data').textContent);
  if (typeof uPlot === 'undefined') return;
  data.charts.forEach(function(c){
    var el = document.getElementById(c.id);
    if (!el) return;
    // One x axis: the observed steps, then the forecast's.
    var t = c.obs.t.concat(c.fc.t), n = c.obs.t.length, m = c.fc.t.length;
    function pad(before, arr, after){ var out = []; for (var i = 0; i < before; i++) out.push(null);
      out = out.concat(arr); for (var j = 0; j < after; j++) out.push(null); return out; }
    var cols = [t, pad(0, c.obs.v, m), pad(n, c.fc.mean, 0), pad(n, c.fc.lo, 0), pad(n, c.fc.hi, 0)];
    var series = [{}, {label: 'observed', stroke: '#2a6fdb', width: 1},
      {label: 'forecast', stroke: '#e07b00', width: 1.5},
      {label: 'lower', stroke: '#e0b070', dash: [4, 3]}, {label: 'upper', stroke: '#e0b070', dash: [4, 3]}];
    if (c.capacity !== null) {
      cols.push(t.map(function(){ return c.capacity; }));
      series.push({label: 'capacity', stroke: '#c33', dash: [6, 4]});
    }
    new uPlot({width: Math.min(1060, el.clientWidth || 1060), height: 180, series: series, axes: [{}, {size: 70}]},
              cols, el);
  });
})();
)";

}  // namespace

std::string render_capacity_html(const CapacityReport& r, std::string_view uplot_js, std::string_view uplot_css) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>";
  h += "<title>kscope capacity report " + escape_xml(utc(r.generated)) + "</title>\n";
  h += "<style>" + script_safe_text(uplot_css) + kStyle + "</style>\n</head><body>\n";
  h += "<h1>kscope capacity report</h1>\n<p>Prometheus <code>" + escape_xml(r.url) + "</code>";
  if (!r.match.empty()) h += ", selection <code>" + escape_xml(r.match) + "</code>";
  h += ", " + escape_xml(utc(r.start)) + " to " + escape_xml(utc(r.end)) + " in steps of " +
       escape_xml(format_seconds(r.step)) + "; forecast " + escape_xml(format_seconds(r.options.horizon_seconds)) +
       " ahead with a " + number("%.0f", 100 * std::erf(r.options.confidence_z / std::sqrt(2.0))) +
       "% prediction interval; recommended capacity = forecast peak &#215; " + number("%.2g", r.options.headroom) +
       ".</p>\n";
  h += "<p>" + std::to_string(r.hosts.size()) + " hosts: ";
  for (size_t i = 0; i < r.hosts.size(); ++i) h += (i ? ", " : "") + std::string("<code>") + escape_xml(r.hosts[i]) + "</code>";
  h += "</p>\n";
  for (const auto& w : r.warnings) h += "<p class=\"rising\">Prometheus warned: " + escape_xml(w) + "</p>\n";

  // What runs out, soonest first: the question the page is for.
  struct Out {
    double time;
    const CapacitySignal* sig;
    const SeriesAnalysis* a;
  };
  std::vector<Out> outs;
  for (const auto& s : r.signals) {
    for (const auto& a : s.series) {
      if (a.exhaustion && a.exhaustion->time) outs.push_back({*a.exhaustion->time, &s, &a});
    }
  }
  std::sort(outs.begin(), outs.end(), [](const Out& x, const Out& y) { return x.time < y.time; });
  h += "<h2 id=\"exhaustion\">What runs out</h2>\n";
  if (outs.empty()) {
    h += "<p class=\"ok\">No finite resource (CPU, memory, filesystem) is forecast to run out within two years.</p>\n";
  } else {
    h += "<p class=\"muted\">When the forecast reaches the capacity; in brackets, when its prediction interval's "
         "upper and lower bounds do.</p>\n<table><tr><th>signal</th><th>host</th><th>which</th><th>now</th>"
         "<th>capacity</th><th>runs out</th></tr>\n";
    for (const auto& o : outs) {
      const std::string unit = o.sig->spec->unit;
      h += "<tr><td>" + escape_xml(o.sig->spec->title) + "</td><td>" + escape_xml(o.a->instance) + "</td><td>" +
           escape_xml(row_name(*o.a)) + "</td><td class=\"n\">" + escape_xml(opt_unit(unit, o.a->last)) +
           "</td><td class=\"n\">" + escape_xml(opt_unit(unit, o.a->capacity)) + "</td><td>" +
           exhaustion_text(*o.a) + "</td></tr>\n";
    }
    h += "</table>\n";
  }

  nlohmann::json charts = nlohmann::json::array();
  for (const auto& s : r.signals) {
    const std::string unit = s.spec->unit;
    h += "<h2 id=\"signal-" + escape_xml(s.spec->key) + "\">" + escape_xml(s.spec->title) + " <span class=\"muted\">(" +
         escape_xml(unit) + ")</span></h2>\n";
    if (!s.found) {
      h += "<p class=\"muted\">Left out: " + escape_xml(s.note) + ".</p>\n";
      continue;
    }
    if (!s.note.empty()) h += "<p class=\"muted\">" + escape_xml(s.note) + "</p>\n";
    if (s.dropped_series > 0) {
      h += "<p class=\"rising\">" + std::to_string(s.dropped_series) +
           " more series were left out (the series cap): narrow --match.</p>\n";
    }
    const bool finite = *s.spec->capacity != '\0';
    h += "<table><tr><th>host</th><th>which</th><th>now</th><th>p50</th><th>p95</th><th>p99</th><th>mean &#177; sd</th>"
         "<th>trend</th><th>seasonality</th><th>forecast peak [interval]</th><th>recommended</th>";
    if (finite) h += "<th>capacity</th><th>runs out</th>";
    h += "<th>anomalies</th></tr>\n";
    for (const auto& a : s.series) {
      h += "<tr><td>" + escape_xml(a.instance) + "</td><td>" + escape_xml(row_name(a)) + "</td>";
      h += "<td class=\"n\">" + escape_xml(opt_unit(unit, a.last)) + "</td>";
      if (a.baseline) {
        const Baseline& b = *a.baseline;
        h += "<td class=\"n\">" + escape_xml(in_unit(unit, b.p50)) + "</td><td class=\"n\">" +
             escape_xml(in_unit(unit, b.p95)) + "</td><td class=\"n\">" + escape_xml(in_unit(unit, b.p99)) +
             "</td><td class=\"n\">" + escape_xml(in_unit(unit, b.mean)) + " &#177; " +
             escape_xml(in_unit(unit, b.stddev)) + "</td>";
      } else {
        h += "<td colspan=\"4\" class=\"muted\">no data</td>";
      }
      h += "<td class=\"n\">" + trend_text(unit, a) + "</td><td>" + seasonality_text(a) + "</td>";
      if (a.peak) {
        h += "<td class=\"n\">" + escape_xml(in_unit(unit, a.peak->mean)) + " [" +
             escape_xml(in_unit(unit, a.peak->lower)) + ", " + escape_xml(in_unit(unit, a.peak->upper)) + "]</td>";
        const bool over = a.capacity && a.recommended_capacity && *a.recommended_capacity > *a.capacity;
        h += "<td class=\"n" + std::string(over ? " rising" : "") + "\">" +
             escape_xml(opt_unit(unit, a.recommended_capacity)) + "</td>";
      } else {
        h += "<td colspan=\"2\" class=\"muted\">" + escape_xml(a.note.empty() ? "no forecast" : a.note) + "</td>";
      }
      if (finite) h += "<td class=\"n\">" + escape_xml(opt_unit(unit, a.capacity)) + "</td><td>" + exhaustion_text(a) + "</td>";
      h += "<td class=\"n\">" + std::to_string(a.anomalies.size()) + "</td></tr>\n";
    }
    h += "</table>\n";
    // The anomalies of the signal, every row's.
    size_t anomalies = 0;
    for (const auto& a : s.series) anomalies += a.anomalies.size();
    if (anomalies > 0) {
      h += "<h3>Anomalies</h3>\n<table><tr><th>host</th><th>which</th><th>from</th><th>to</th><th>value</th>"
           "<th>expected</th><th>score (&#963;)</th></tr>\n";
      for (const auto& a : s.series) {
        for (const auto& an : a.anomalies) {
          char score[32];
          std::snprintf(score, sizeof score, "%.1f", an.score);
          h += "<tr><td>" + escape_xml(a.instance) + "</td><td>" + escape_xml(row_name(a)) + "</td><td>" +
               escape_xml(utc(an.start)) + "</td><td>" + escape_xml(utc(an.end)) + "</td><td class=\"n\">" +
               escape_xml(in_unit(unit, an.value)) + "</td><td class=\"n\">" + escape_xml(in_unit(unit, an.expected)) +
               "</td><td class=\"n\">" + score + "</td></tr>\n";
        }
      }
      h += "</table>\n";
    }
    for (const auto& a : s.series) {
      if (a.series.values.empty()) continue;
      if (charts.size() >= kMaxCapacityCharts) {
        h += "<p class=\"muted\">Charts stop here (" + std::to_string(kMaxCapacityCharts) +
             " per page); the tables list every row.</p>\n";
        break;
      }
      const std::string id = "chart-" + std::to_string(charts.size());
      h += "<div class=\"chart\" id=\"" + id + "\"><div class=\"muted\">" + escape_xml(s.spec->title) + ": " +
           escape_xml(a.instance) + " " + escape_xml(row_name(a)) + "</div></div>\n";
      charts.push_back({{"id", id},
                        {"obs", observed_columns(a)},
                        {"fc", forecast_columns(a, 500)},
                        {"capacity", a.capacity ? nlohmann::json(*a.capacity) : nlohmann::json()}});
    }
  }
  h += "<script type=\"application/json\" id=\"capacity-data\">" + script_safe_json({{"charts", charts}}) +
       "</script>\n";
  h += "<script>" + script_safe_text(uplot_js) + "</script>\n";
  h += "<script>" + std::string(kScript) + "</script>\n";
  h += "</body></html>\n";
  return h;
}

}  // namespace kscope
