#include "export/prometheus_protobuf.h"

#include <charconv>

#include "common/escape.h"
#include "export/native_histogram.h"
#include "export/seconds_buckets.h"
#include "export/size_buckets.h"
#include "common/proto_wire.h"

namespace kscope {
namespace {

// Field numbers of io.prometheus.client (metrics.proto in
// prometheus/client_model, the version with native histograms).
namespace mf { constexpr uint32_t kName = 1, kHelp = 2, kType = 3, kMetric = 4; }
namespace metric { constexpr uint32_t kLabel = 1, kGauge = 2, kCounter = 3, kHistogram = 7; }
namespace label_pair { constexpr uint32_t kName = 1, kValue = 2; }
namespace value { constexpr uint32_t kValue = 1; }  // Gauge.value, Counter.value
namespace hist {
constexpr uint32_t kSampleCount = 1, kSampleSum = 2, kBucket = 3, kSchema = 5, kZeroThreshold = 6,
                   kZeroCount = 7, kPositiveSpan = 12, kPositiveDelta = 13;
}
namespace bucket { constexpr uint32_t kCumulativeCount = 1, kUpperBound = 2; }
namespace span { constexpr uint32_t kOffset = 1, kLength = 2; }
// MetricType enum.
constexpr uint64_t kCounterType = 0, kGaugeType = 1, kHistogramType = 4;

uint64_t type_code(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return kCounterType;
    case MetricType::kGauge: return kGaugeType;
    case MetricType::kHistogram: return kHistogramType;
  }
  return kGaugeType;
}

// An embedded message as a field of `out`.
void message_field(ProtoWriter& out, uint32_t field, ProtoWriter& msg) { out.bytes_field(field, msg.buffer()); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// One media range: its type and, of its parameters, those we look at.
struct MediaRange {
  std::string_view type;
  std::string_view proto, encoding;
  double q = 1;
};

MediaRange parse_range(std::string_view range) {
  MediaRange m;
  size_t semi = range.find(';');
  m.type = trim(range.substr(0, semi));
  while (semi != std::string_view::npos) {
    range.remove_prefix(semi + 1);
    semi = range.find(';');
    std::string_view param = trim(range.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(param.substr(0, eq)), val = trim(param.substr(eq + 1));
    if (iequals(key, "proto")) {
      m.proto = val;
    } else if (iequals(key, "encoding")) {
      m.encoding = val;
    } else if (iequals(key, "q")) {
      double q = 0;
      auto r = std::from_chars(val.data(), val.data() + val.size(), q);
      m.q = r.ec == std::errc() && q >= 0 && q <= 1 ? q : 0;
    }
  }
  return m;
}

void write_labels(ProtoWriter& metric_msg, const Labels& labels, ProtoWriter& scratch) {
  for (const auto& [k, v] : labels) {
    scratch.clear();
    scratch.bytes_field(label_pair::kName, k);
    scratch.bytes_field(label_pair::kValue, sanitize_utf8(v));
    message_field(metric_msg, metric::kLabel, scratch);
  }
}

// Classic buckets: the count, sum and cumulative buckets at `le`.
void write_classic(ProtoWriter& out, const Histogram& h, double sum, const std::vector<double>& le,
                   const std::vector<uint32_t>& slots, std::vector<uint64_t>& cumulative) {
  ProtoWriter scratch;
  out.uint_field(hist::kSampleCount, h.count());
  out.double_field(hist::kSampleSum, sum);
  cumulative_counts_into(h, slots, cumulative);
  for (size_t i = 0; i < le.size(); ++i) {
    scratch.clear();
    scratch.uint_field(bucket::kCumulativeCount, cumulative[i]);
    scratch.double_field(bucket::kUpperBound, le[i]);
    message_field(out, hist::kBucket, scratch);
  }
}

void write_histogram(ProtoWriter& out, const Histogram& h, const std::vector<double>& le_seconds,
                     const std::vector<uint32_t>& slots, std::vector<uint64_t>& cumulative) {
  ProtoWriter scratch;
  write_classic(out, h, h.sum_seconds, le_seconds, slots, cumulative);
  const NativeHistogram n = to_native(h);
  out.sint_field(hist::kSchema, n.schema);
  out.double_field(hist::kZeroThreshold, n.zero_threshold);
  out.uint_field(hist::kZeroCount, n.zero_count);
  if (n.spans.empty()) {
    // A "no-op span" (offset 0, length 0: an empty message) marks an empty
    // histogram as native, not classic.
    out.bytes_field(hist::kPositiveSpan, {});
  }
  for (const auto& [offset, length] : n.spans) {
    scratch.clear();
    scratch.sint_field(span::kOffset, offset);
    scratch.uint_field(span::kLength, length);
    message_field(out, hist::kPositiveSpan, scratch);
  }
  std::vector<uint64_t> zigzagged;
  zigzagged.reserve(n.deltas.size());
  for (int64_t d : n.deltas) zigzagged.push_back(ProtoWriter::zigzag(d));
  out.packed_field(hist::kPositiveDelta, zigzagged.begin(), zigzagged.end());
}

}  // namespace

bool accepts_protobuf(std::string_view accept) {
  if (accept.size() > 4096) return false;
  double proto_q = 0, text_q = 0;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    MediaRange m = parse_range(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    if (iequals(m.type, "application/vnd.google.protobuf") && m.proto == "io.prometheus.client.MetricFamily" &&
        m.encoding == "delimited") {
      proto_q = std::max(proto_q, m.q);
    } else if (iequals(m.type, "text/plain")) {
      text_q = std::max(text_q, m.q);
    }
  }
  return proto_q > 0 && proto_q >= text_q;
}

std::string render_prometheus_protobuf(const Snapshot& snapshot, const std::vector<double>& le_seconds) {
  std::vector<const Family*> families;
  families.reserve(snapshot.families.size());
  for (const auto& f : snapshot.families) families.push_back(&f);
  return render_prometheus_protobuf(families, le_seconds);
}

std::string render_prometheus_protobuf(const std::vector<const Family*>& families,
                                       const std::vector<double>& le_seconds) {
  std::string out;
  SecondsBucketSets seconds(le_seconds);
  SizeBuckets sizes;
  ProtoWriter family_msg, metric_msg, inner, scratch;
  for (const Family* f : families) {
    const Family& family = *f;
    if (family.series.empty()) continue;
    family_msg.clear();
    family_msg.bytes_field(mf::kName, family.name);
    family_msg.bytes_field(mf::kHelp, family.help);
    family_msg.uint_field(mf::kType, type_code(family.type));
    for (const auto& s : family.series) {
      if (family.type == MetricType::kHistogram && !s.histogram) continue;
      metric_msg.clear();
      write_labels(metric_msg, s.labels, scratch);
      inner.clear();
      if (family.type == MetricType::kHistogram && family.unit == HistogramUnit::kBytes) {
        // Native buckets are powers of 2^(1/4) of the unit: seconds only.
        write_classic(inner, *s.histogram, size_sum_bytes(*s.histogram), sizes.le, sizes.slots, sizes.cumulative);
        message_field(metric_msg, metric::kHistogram, inner);
      } else if (family.type == MetricType::kHistogram) {
        SecondsBuckets& b = seconds.of(family);
        write_histogram(inner, *s.histogram, b.le, b.slots, b.cumulative);
        message_field(metric_msg, metric::kHistogram, inner);
      } else {
        inner.double_field(value::kValue, s.value);
        message_field(metric_msg, family.type == MetricType::kCounter ? metric::kCounter : metric::kGauge, inner);
      }
      message_field(family_msg, mf::kMetric, metric_msg);
    }
    // Delimited: each MetricFamily after its length as a varint.
    ProtoWriter length;
    length.varint(family_msg.size());
    out += length.buffer();
    out += family_msg.buffer();
  }
  return out;
}

}  // namespace kscope
