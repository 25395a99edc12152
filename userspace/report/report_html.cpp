#include "report/report_html.h"
#include "common/time_format.h"

#include <cmath>
#include <ctime>

#include "common/escape.h"
#include "top/value_format.h"

namespace kscope {
namespace {

std::string utc(std::chrono::system_clock::time_point t) { return format_time(t, "%Y-%m-%d %H:%M:%S UTC"); }

std::string value_text(const ReportSignalSpec& spec, double v) {
  return spec.latency ? format_seconds(v) : format_si(v);
}

std::string slope_text(const ReportSignalSpec& spec, double per_second) {
  const double per_hour = per_second * 3600;
  std::string mag = spec.latency ? format_seconds(std::fabs(per_hour)) : format_si(std::fabs(per_hour));
  return (per_hour < 0 ? "-" : "+") + mag + " per hour";
}

std::string bytes_per_hour(double per_second) {
  const double per_hour = per_second * 3600;
  return (per_hour < 0 ? "-" : "+") + format_bytes(std::fabs(per_hour)) + " per hour";
}

// The "Time to exhaustion" table: what is left, its slope, and when the
// fitted line reaches 0.
std::string exhaustion_section(const ReportData& data) {
  std::string h = "<h2 id=\"exhaustion\">Time to exhaustion</h2>\n";
  if (data.exhaustion.empty()) {
    return h + "<p class=\"muted\">No data: <code>" + escape_xml(kMemoryAvailableMetric) + "</code> and <code>" +
           escape_xml(kFilesystemAvailableMetric) +
           "</code> are not in the history (host metrics are off or not read here).</p>\n";
  }
  h += "<p class=\"muted\">A least-squares line through what is left over the window; the time is when that "
       "line reaches 0. Read-only filesystems (squashfs, iso9660, erofs) are left out.</p>\n";
  h += "<table><tr><th>resource</th><th>device</th><th>available now</th><th>of</th><th>slope</th>"
       "<th>r&#178;</th><th>runs out</th></tr>\n";
  for (const auto& e : data.exhaustion) {
    const bool fs = e.kind == ReportExhaustion::Kind::kFilesystem;
    h += "<tr><td>" + (fs ? "filesystem <code>" + escape_xml(e.name) + "</code>" : escape_xml(e.name)) + "</td>";
    h += "<td>" + (fs ? escape_xml(e.device) + " <span class=\"muted\">" + escape_xml(e.fstype) + "</span>" : "") +
         "</td>";
    if (!e.projection) {
      h += "<td colspan=\"5\" class=\"muted\">too few points for a trend</td></tr>\n";
      continue;
    }
    const Exhaustion& p = *e.projection;
    h += "<td class=\"n\">" + escape_xml(format_bytes(std::max(0.0, p.last_value))) + "</td>";
    h += "<td class=\"n\">" + escape_xml(e.total ? format_bytes(*e.total) : "-") + "</td>";
    h += "<td class=\"n\">" + escape_xml(bytes_per_hour(p.fit.slope)) + "</td>";
    char r2[16];
    std::snprintf(r2, sizeof r2, "%.2f", p.fit.r2);
    h += "<td class=\"n\">" + std::string(r2) + "</td>";
    if (p.exhausted) {
      h += "<td class=\"rising\">exhausted now</td>";
    } else if (p.seconds_to_exhaustion) {
      auto when = data.generated + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       std::chrono::duration<double>(std::min(*p.seconds_to_exhaustion, 3e9)));
      h += "<td class=\"rising\">in " + escape_xml(format_seconds(*p.seconds_to_exhaustion)) + " (" +
           escape_xml(utc(when)) + ")</td>";
    } else {
      h += "<td class=\"ok\">not falling</td>";
    }
    h += "</tr>\n";
  }
  return h + "</table>\n";
}

nlohmann::json exhaustion_json(const ReportData& data) {
  auto finite = [](const std::optional<double>& v) {
    return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json();
  };
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : data.exhaustion) {
    const bool fs = e.kind == ReportExhaustion::Kind::kFilesystem;
    nlohmann::json j = {{"resource", fs ? "filesystem" : "memory"},
                        {"name", e.name},
                        {"total_bytes", finite(e.total)}};
    if (fs) {
      j["device"] = e.device;
      j["fstype"] = e.fstype;
    }
    if (e.projection) {
      j["available_bytes"] = finite(e.projection->last_value);
      j["slope_bytes_per_second"] = finite(e.projection->fit.slope);
      j["r2"] = finite(e.projection->fit.r2);
      j["exhausted"] = e.projection->exhausted;
      j["seconds_to_exhaustion"] = finite(e.projection->seconds_to_exhaustion);
    } else {
      j["available_bytes"] = nullptr;
      j["seconds_to_exhaustion"] = nullptr;
    }
    out.push_back(std::move(j));
  }
  return out;
}

// Only links a browser would follow to the kscope that made them.
bool safe_url(const std::string& url) { return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0; }

const char* kStyle = R"(
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:980px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}.chart{margin:.5em 0}
.rising{color:#b00}.ok{color:#070}
)";

const char* kScript = R"(
(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  if (typeof uPlot === 'undefined') return;
  data.signals.forEach(function(s){
    var el = document.getElementById('chart-' + s.key);
    if (!el || !s.found) return;
    var opts = {width: Math.min(940, el.clientWidth || 940), height: 200,
      series: [{}, {label: s.title, stroke: '#2a6fdb', width: 1.5, spanGaps: false}],
      axes: [{}, {size: 70}]};
    if (s.threshold !== null) {
      opts.series.push({label: 'threshold', stroke: '#c33', dash: [6, 4]});
    }
    var cols = [data.timestamps, s.values];
    if (s.threshold !== null) cols.push(data.timestamps.map(function(){ return s.threshold; }));
    new uPlot(opts, cols, el);
  });
})();
)";

}  // namespace

std::string script_safe_json(const nlohmann::json& j) {
  std::string raw = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::string script_safe_text(std::string_view js) {
  std::string out;
  out.reserve(js.size());
  for (size_t i = 0; i < js.size(); ++i) {
    out += js[i];
    if (js[i] == '<' && i + 1 < js.size() && js[i + 1] == '/') out += '\\';
  }
  return out;
}

std::string render_report_html(const ReportData& data, std::string_view uplot_js, std::string_view uplot_css) {
  const std::string by = escape_xml(data.by.empty() ? "target" : data.by);
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>";
  h += "<title>kscope report " + escape_xml(utc(data.generated)) + "</title>\n";
  h += "<style>" + script_safe_text(uplot_css) + kStyle + "</style>\n</head><body>\n";
  h += "<h1>kscope report</h1>\n<p>Source <code>" + escape_xml(data.source) + "</code>, generated " +
       escape_xml(utc(data.generated)) + ", window " + escape_xml(format_seconds(data.window_seconds)) +
       " in steps of " + escape_xml(format_seconds(data.step_seconds)) + ".</p>\n";
  if (const std::string note = coverage_note(data); !note.empty()) {
    h += "<p class=\"rising\" id=\"coverage\">Note: " + escape_xml(note) + ".</p>\n";
  }

  // Trends first: they are what capacity planning reads.
  h += "<h2 id=\"trends\">Saturation trends</h2>\n<table><tr><th>signal</th><th>now (fit)</th><th>slope</th>"
       "<th>r&#178;</th><th>threshold</th><th>projection</th></tr>\n";
  for (const auto& s : data.signals) {
    if (!s.spec->saturation) continue;
    h += "<tr><td>" + escape_xml(s.spec->title) + "</td>";
    if (!s.found || !s.trend) {
      h += "<td colspan=\"5\" class=\"muted\">" +
           std::string(s.found ? "too few points for a trend" : "no data (probe not loaded)") + "</td></tr>\n";
      continue;
    }
    const Trend& t = *s.trend;
    h += "<td class=\"n\">" + escape_xml(value_text(*s.spec, std::max(0.0, t.now_value))) + "</td>";
    h += "<td class=\"n\">" + escape_xml(slope_text(*s.spec, t.fit.slope)) + "</td>";
    char r2[16];
    std::snprintf(r2, sizeof r2, "%.2f", t.fit.r2);
    h += "<td class=\"n\">" + std::string(r2) + "</td>";
    if (t.threshold) {
      h += "<td class=\"n\">" + escape_xml(value_text(*s.spec, *t.threshold)) + " <span class=\"muted\">(" +
           escape_xml(s.threshold_source) + ")</span></td>";
    } else {
      h += "<td class=\"muted\">none</td>";
    }
    if (!t.threshold) {
      h += "<td class=\"muted\">" + std::string(t.fit.slope > 0 ? "rising" : "flat or falling") + "</td>";
    } else if (t.above_threshold) {
      h += "<td class=\"rising\">at or above the threshold now</td>";
    } else if (t.seconds_to_threshold) {
      auto when = data.generated + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       std::chrono::duration<double>(std::min(*t.seconds_to_threshold, 3e9)));
      h += "<td class=\"rising\">reaches it in " + escape_xml(format_seconds(*t.seconds_to_threshold)) + " (" +
           escape_xml(utc(when)) + ")</td>";
    } else {
      h += "<td class=\"ok\">not rising</td>";
    }
    h += "</tr>\n";
  }
  h += "</table>\n";
  h += exhaustion_section(data);

  h += "<h2 id=\"signals\">Signals</h2>\n";
  for (const auto& s : data.signals) {
    const std::string key = escape_xml(s.spec->key);
    h += "<h3>" + escape_xml(s.spec->title) + "</h3>\n";
    if (!s.found) {
      h += "<p class=\"muted\">No data: <code>" + escape_xml(s.spec->metric) +
           "</code> is not in the history (its probe is not loaded).</p>\n";
      continue;
    }
    double peak = 0, sum = 0;
    size_t n = 0;
    for (const auto& v : s.values) {
      if (!v) continue;
      peak = std::max(peak, *v);
      sum += *v;
      ++n;
    }
    h += "<div class=\"chart\" id=\"chart-" + key + "\"></div>\n";
    h += "<p>Host: mean " + escape_xml(n ? value_text(*s.spec, sum / static_cast<double>(n)) : "-") + ", peak " +
         escape_xml(n ? value_text(*s.spec, peak) : "-") + ".</p>\n";
    if (!s.top.empty()) {
      h += "<table><tr><th>" + by + "</th><th>mean over the window</th></tr>\n";
      for (const auto& [target, mean] : s.top) {
        h += "<tr><td>" + escape_xml(target) + "</td><td class=\"n\">" + escape_xml(value_text(*s.spec, mean)) +
             "</td></tr>\n";
      }
      h += "</table>\n";
    }
  }

  h += "<h2 id=\"alerts\">Alerts</h2>\n";
  if (!data.alerts_available) {
    h += "<p class=\"muted\">The alerts API did not answer (" + escape_xml(data.alerts_note) + ").</p>\n";
  } else if (data.alerts.empty()) {
    h += "<p>No alerts fired.</p>\n";
  } else {
    h += "<table><tr><th>rule</th><th>severity</th><th>state</th><th>" + by +
         "</th><th>value</th><th>threshold</th><th>fired</th><th>resolved</th><th>summary</th></tr>\n";
    for (const auto& a : data.alerts) {
      auto num = [](const std::optional<double>& v) {
        if (!v) return std::string("-");
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.4g", *v);
        return std::string(buf);
      };
      h += "<tr><td>" + escape_xml(a.rule) + "</td><td>" + escape_xml(a.severity) + "</td><td>" +
           escape_xml(a.state) + "</td><td>" + escape_xml(a.target) + "</td><td class=\"n\">" + num(a.value) +
           "</td><td class=\"n\">" + num(a.threshold) + "</td><td>" + escape_xml(a.fired_at) + "</td><td>" +
           escape_xml(a.resolved_at) + "</td><td>" + escape_xml(a.summary) + "</td></tr>\n";
    }
    h += "</table>\n";
  }

  h += "<h2 id=\"captures\">Flame graphs captured</h2>\n";
  if (data.captures.empty()) {
    h += "<p class=\"muted\">None" + std::string(data.alerts_available ? "." : " (the alerts API did not answer).") +
         "</p>\n";
  } else {
    h += "<p class=\"muted\">Links point to the kscope that captured them.</p>\n<ul>\n";
    for (const auto& c : data.captures) {
      h += "<li>" + escape_xml(c.started) + " " + escape_xml(c.rule) + " " + escape_xml(c.target) + " (" +
           escape_xml(c.status) + ")";
      for (const auto& [name, url] : c.files) {
        if (!safe_url(url)) continue;
        h += " <a href=\"" + escape_xml(url) + "\">" + escape_xml(name) + "</a>";
      }
      h += "</li>\n";
    }
    h += "</ul>\n";
  }

  nlohmann::json signals = nlohmann::json::array();
  for (const auto& s : data.signals) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& v : s.values) values.push_back(v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json());
    signals.push_back({{"key", s.spec->key},
                       {"title", s.spec->title},
                       {"found", s.found},
                       {"threshold", s.threshold ? nlohmann::json(*s.threshold) : nlohmann::json()},
                       {"values", values}});
  }
  nlohmann::json payload = {
      {"timestamps", data.timestamps}, {"signals", signals}, {"exhaustion", exhaustion_json(data)}};
  h += "<script type=\"application/json\" id=\"report-data\">" + script_safe_json(payload) + "</script>\n";
  h += "<script>" + script_safe_text(uplot_js) + "</script>\n";
  h += "<script>" + std::string(kScript) + "</script>\n";
  h += "</body></html>\n";
  return h;
}

}  // namespace kscope
