#include "export/prometheus.h"

#include <fmt/format.h>

#include <cmath>

#include "common/escape.h"

namespace kscope {
namespace {

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

// {a="x",b="y"} with an optional extra pair last (for `le`).
void append_labels(std::string& out, const Labels& labels, const char* extra_name = nullptr,
                   const std::string& extra_value = {}) {
  if (labels.empty() && extra_name == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    out += escape_prometheus_label(v);
    out += '"';
  }
  if (extra_name != nullptr) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

}  // namespace

std::string prometheus_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

std::string render_prometheus(const Snapshot& snapshot, const std::vector<double>& le_seconds) {
  std::string out;
  out.reserve(64 * 1024);
  std::vector<std::string> le_text;
  for (double le : le_seconds) le_text.push_back(prometheus_number(le));

  for (const auto& family : snapshot.families) {
    if (family.series.empty()) continue;
    out += "# HELP " + family.name + " " + escape_prometheus_help(family.help) + "\n";
    out += "# TYPE " + family.name + " " + type_name(family.type) + "\n";
    for (const auto& s : family.series) {
      if (family.type != MetricType::kHistogram) {
        out += family.name;
        append_labels(out, s.labels);
        out += ' ';
        out += prometheus_number(s.value);
        out += '\n';
        continue;
      }
      if (!s.histogram) continue;
      auto cumulative = cumulative_counts(*s.histogram, le_seconds);
      uint64_t total = s.histogram->count();
      for (size_t i = 0; i < le_seconds.size(); ++i) {
        out += family.name + "_bucket";
        append_labels(out, s.labels, "le", le_text[i]);
        out += ' ';
        out += std::to_string(cumulative[i]);
        out += '\n';
      }
      out += family.name + "_bucket";
      append_labels(out, s.labels, "le", "+Inf");
      out += ' ' + std::to_string(total) + '\n';
      out += family.name + "_sum";
      append_labels(out, s.labels);
      out += ' ' + prometheus_number(s.histogram->sum_seconds) + '\n';
      out += family.name + "_count";
      append_labels(out, s.labels);
      out += ' ' + std::to_string(total) + '\n';
    }
  }
  return out;
}

}  // namespace kscope
