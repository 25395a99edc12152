#include "export/prometheus.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iterator>
#include <string_view>

#include "common/escape.h"
#include "export/seconds_buckets.h"
#include "export/size_buckets.h"

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

// A label value as the text format wants it. Almost every value is
// printable ASCII with no quote or backslash: copied as is, no temporary.
void append_label_value(std::string& out, std::string_view v) {
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F || c == '\\' || c == '"') {
      out += escape_prometheus_label(v);
      return;
    }
  }
  out += v;
}

// a="x",b="y": one series' labels, escaped once however many lines use them.
void render_labels(std::string& out, const Labels& labels) {
  out.clear();
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ',';
    out += k;
    out += "=\"";
    append_label_value(out, v);
    out += '"';
  }
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(v));
    out.append(buf, r.ptr);
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

// name{labels} or name when there are none (`suffix` as in _sum).
void append_name(std::string& out, const std::string& name, std::string_view suffix, const std::string& labels) {
  out += name;
  out += suffix;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
}

// About the body's size, so it is allocated once instead of doubling from
// 64 KiB through every size up to megabytes (each step a full copy).
size_t estimated_size(const std::vector<const Family*>& families, size_t le_count) {
  size_t n = 0;
  for (const Family* f : families) {
    const Family& family = *f;
    n += 2 * family.name.size() + family.help.size() + 32;
    const size_t lines = family.type == MetricType::kHistogram ? le_count + 3 : 1;
    for (const auto& s : family.series) {
      size_t labels = 0;
      for (const auto& [k, v] : s.labels) labels += k.size() + v.size() + 4;
      n += lines * (family.name.size() + labels + 40);
    }
  }
  return n;
}

}  // namespace

std::string prometheus_number(double v) {
  std::string out;
  append_number(out, v);
  return out;
}

std::string render_prometheus(const Snapshot& snapshot, const std::vector<double>& le_seconds) {
  std::vector<const Family*> families;
  families.reserve(snapshot.families.size());
  for (const auto& f : snapshot.families) families.push_back(&f);
  return render_prometheus(families, le_seconds);
}

std::string render_prometheus(const std::vector<const Family*>& families, const std::vector<double>& le_seconds) {
  std::string out;
  out.reserve(estimated_size(families, le_seconds.size()));
  SecondsBucketSets seconds(le_seconds);
  SizeBuckets sizes;
  std::string labels;

  for (const Family* f : families) {
    const Family& family = *f;
    if (family.series.empty()) continue;
    out += "# HELP " + family.name + " " + escape_prometheus_help(family.help) + "\n";
    out += "# TYPE " + family.name + " " + type_name(family.type) + "\n";
    SecondsBuckets* own = family.type == MetricType::kHistogram ? &seconds.of(family) : nullptr;
    for (const auto& s : family.series) {
      if (family.type == MetricType::kHistogram && !s.histogram) continue;
      render_labels(labels, s.labels);
      if (family.type != MetricType::kHistogram) {
        append_name(out, family.name, {}, labels);
        append_number(out, s.value);
        out += '\n';
        continue;
      }
      const bool bytes = family.unit == HistogramUnit::kBytes;
      const auto& les = bytes ? sizes.text : own->text;
      auto& counts = bytes ? sizes.cumulative : own->cumulative;
      cumulative_counts_into(*s.histogram, bytes ? sizes.slots : own->slots, counts);
      const uint64_t total = s.histogram->count();
      auto bucket_line = [&](const std::string& le, uint64_t count) {
        out += family.name;
        out += "_bucket{";
        out += labels;
        if (!labels.empty()) out += ',';
        out += "le=\"";
        out += le;
        out += "\"} ";
        append_uint(out, count);
        out += '\n';
      };
      for (size_t i = 0; i < les.size(); ++i) bucket_line(les[i], counts[i]);
      static const std::string kInf = "+Inf";
      bucket_line(kInf, total);
      append_name(out, family.name, "_sum", labels);
      append_number(out, bytes ? size_sum_bytes(*s.histogram) : s.histogram->sum_seconds);
      out += '\n';
      append_name(out, family.name, "_count", labels);
      append_uint(out, total);
      out += '\n';
    }
  }
  return out;
}

}  // namespace kscope
