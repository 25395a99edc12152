#include "export/prometheus_protobuf.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "common/proto_wire.h"
#include "export/native_histogram.h"
#include "export/own_buckets_snapshot.h"

namespace kscope {
namespace {

// The test decodes the bytes with the generic reader, by the field numbers
// of io.prometheus.client's metrics.proto, written out here once more on
// purpose: a wrong number in the encoder would otherwise go unseen.
struct Decoded {
  std::string name, help;
  uint64_t type = 0;
  struct Metric {
    std::map<std::string, std::string> labels;
    double value = 0;  // counter or gauge
    bool counter = false, gauge = false, histogram = false;
    uint64_t count = 0;
    double sum = 0;
    int64_t schema = 0;
    double zero_threshold = 0;
    uint64_t zero_count = 0;
    std::vector<std::pair<int64_t, uint64_t>> spans;
    std::vector<int64_t> deltas;
    std::vector<std::pair<double, uint64_t>> classic;  // (upper bound, cumulative)
  };
  std::vector<Metric> metrics;
};

double as_double(uint64_t bits) {
  double d = 0;
  std::memcpy(&d, &bits, sizeof(d));
  return d;
}

std::vector<std::pair<uint32_t, ProtoField>> fields(std::string_view bytes) {
  std::vector<std::pair<uint32_t, ProtoField>> out;
  ProtoReader r(bytes);
  ProtoField f;
  while (r.next(&f)) out.emplace_back(f.number, f);
  EXPECT_FALSE(r.failed());
  return out;
}

Decoded::Metric decode_metric(std::string_view bytes) {
  Decoded::Metric m;
  for (const auto& [n, f] : fields(bytes)) {
    if (n == 1) {
      std::string k, v;
      for (const auto& [ln, lf] : fields(f.bytes)) (ln == 1 ? k : v) = std::string(lf.bytes);
      m.labels[k] = v;
    } else if (n == 2 || n == 3) {
      (n == 2 ? m.gauge : m.counter) = true;
      for (const auto& [vn, vf] : fields(f.bytes)) {
        if (vn == 1) m.value = as_double(vf.value);
      }
    } else if (n == 7) {
      m.histogram = true;
      for (const auto& [hn, hf] : fields(f.bytes)) {
        switch (hn) {
          case 1: m.count = hf.value; break;
          case 2: m.sum = as_double(hf.value); break;
          case 3: {
            double ub = 0;
            uint64_t cum = 0;
            for (const auto& [bn, bf] : fields(hf.bytes)) (bn == 2 ? void(ub = as_double(bf.value)) : void(cum = bf.value));
            m.classic.emplace_back(ub, cum);
            break;
          }
          case 5: m.schema = ProtoWriter::unzigzag(hf.value); break;
          case 6: m.zero_threshold = as_double(hf.value); break;
          case 7: m.zero_count = hf.value; break;
          case 12: {
            int64_t off = 0;
            uint64_t len = 0;
            for (const auto& [sn, sf] : fields(hf.bytes)) (sn == 1 ? void(off = ProtoWriter::unzigzag(sf.value)) : void(len = sf.value));
            m.spans.emplace_back(off, len);
            break;
          }
          case 13: {
            std::vector<uint64_t> raw;
            EXPECT_TRUE(ProtoReader::repeated_varints(hf, &raw));
            for (uint64_t v : raw) m.deltas.push_back(ProtoWriter::unzigzag(v));
            break;
          }
          default: ADD_FAILURE() << "unexpected histogram field " << hn;
        }
      }
    }
  }
  return m;
}

// Splits the varint-delimited stream into families.
std::vector<Decoded> decode(const std::string& body) {
  std::vector<Decoded> out;
  size_t pos = 0;
  while (pos < body.size()) {
    uint64_t len = 0;
    int shift = 0;
    for (;;) {
      auto b = static_cast<uint8_t>(body.at(pos++));
      len |= uint64_t{b & 0x7Fu} << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    EXPECT_LE(pos + len, body.size());
    Decoded d;
    for (const auto& [n, f] : fields(std::string_view(body).substr(pos, len))) {
      if (n == 1) d.name = f.bytes;
      if (n == 2) d.help = f.bytes;
      if (n == 3) d.type = f.value;
      if (n == 4) d.metrics.push_back(decode_metric(f.bytes));
    }
    out.push_back(d);
    pos += len;
  }
  return out;
}

}  // namespace

TEST(PrometheusProtobuf, ZigzagAndDoublesRoundTrip) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{-35}, INT64_MIN, INT64_MAX}) {
    EXPECT_EQ(ProtoWriter::unzigzag(ProtoWriter::zigzag(v)), v);
  }
  EXPECT_EQ(ProtoWriter::zigzag(-1), 1u);  // the wire's own examples
  EXPECT_EQ(ProtoWriter::zigzag(1), 2u);
  ProtoWriter w;
  w.sint_field(5, -35);
  w.double_field(6, 128e-9);
  w.double_field(2, 0);
  EXPECT_EQ(w.buffer().substr(0, 2), std::string("\x28\x45", 2));  // field 5 varint, zigzag(-35) = 69
  auto f = fields(w.buffer());
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(as_double(f[1].second.value), 128e-9);
  EXPECT_EQ(f[2].first, 2u);  // a zero double is still written
  EXPECT_EQ(as_double(f[2].second.value), 0.0);
}

TEST(PrometheusProtobuf, CountersAndGaugesDecodeWithTheirLabels) {
  Snapshot s;
  s.families.push_back({"kscope_syscalls_total", "Calls.", MetricType::kCounter,
                        {{{{"syscall", "read"}, {"comm", "a\"b\xff"}}, 5, {}}, {{{"syscall", "other"}}, 0, {}}}});
  s.families.push_back({"kscope_empty", "None.", MetricType::kGauge, {}});
  s.families.push_back({"kscope_runqueue_length", "Len.", MetricType::kGauge, {{{{"cpu", "0"}}, 0.25, {}}}});
  auto d = decode(render_prometheus_protobuf(s, default_le_seconds()));
  ASSERT_EQ(d.size(), 2u);  // the empty family is left out
  EXPECT_EQ(d[0].name, "kscope_syscalls_total");
  EXPECT_EQ(d[0].help, "Calls.");
  EXPECT_EQ(d[0].type, 0u);  // COUNTER
  ASSERT_EQ(d[0].metrics.size(), 2u);
  EXPECT_TRUE(d[0].metrics[0].counter);
  EXPECT_EQ(d[0].metrics[0].value, 5);
  EXPECT_EQ(d[0].metrics[0].labels["syscall"], "read");
  EXPECT_EQ(d[0].metrics[0].labels["comm"], "a\"b\xEF\xBF\xBD");  // invalid UTF-8 replaced, nothing escaped
  EXPECT_TRUE(d[0].metrics[1].counter);
  EXPECT_EQ(d[0].metrics[1].value, 0);
  EXPECT_EQ(d[1].type, 1u);  // GAUGE
  EXPECT_TRUE(d[1].metrics[0].gauge);
  EXPECT_EQ(d[1].metrics[0].value, 0.25);
}

TEST(PrometheusProtobuf, HistogramsCarryNativeAndClassicBuckets) {
  Histogram h;
  for (int k = 0; k < 3; ++k) h.record_ns(2'050'000);
  h.record_ns(20'000);
  h.record_ns(60);
  Snapshot s;
  s.families.push_back({"kscope_syscall_latency_seconds", "Latency.", MetricType::kHistogram,
                        {{{{"syscall", "nanosleep"}}, 0, h}}});
  auto d = decode(render_prometheus_protobuf(s, {1e-3, 2.5e-3}));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].type, 4u);  // HISTOGRAM
  const auto& m = d[0].metrics.at(0);
  EXPECT_TRUE(m.histogram);
  EXPECT_EQ(m.count, 5u);
  EXPECT_DOUBLE_EQ(m.sum, h.sum_seconds);
  EXPECT_EQ(m.classic, (std::vector<std::pair<double, uint64_t>>{{1e-3, 2}, {2.5e-3, 5}}));
  EXPECT_EQ(m.schema, 2);
  EXPECT_DOUBLE_EQ(m.zero_threshold, 128e-9);
  EXPECT_EQ(m.zero_count, 1u);
  const NativeHistogram n = to_native(h);
  ASSERT_EQ(m.spans.size(), n.spans.size());
  for (size_t i = 0; i < n.spans.size(); ++i) {
    EXPECT_EQ(m.spans[i].first, n.spans[i].first);
    EXPECT_EQ(m.spans[i].second, n.spans[i].second);
  }
  EXPECT_EQ(m.deltas, (std::vector<int64_t>{1, 2}));  // 20 us: 1, 2.05 ms: 3
  EXPECT_EQ(m.spans.at(0).first, native_index_of_fine_bucket(static_cast<int>(kscope_hist_bucket(20'000))));
}

// A family with boundaries of its own (the HTTP durations' OpenTelemetry
// ones) gets them as classic buckets, the others the configured ones.
TEST(PrometheusProtobuf, AFamilyWithItsOwnBucketsIsExportedAtThem) {
  auto d = decode(render_prometheus_protobuf(own_buckets_snapshot(), {1e-3, 1}));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].metrics.at(0).classic, (std::vector<std::pair<double, uint64_t>>{{1e-3, 0}, {1, 2}}));
  EXPECT_EQ(d[1].metrics.at(0).classic, (std::vector<std::pair<double, uint64_t>>{{0.005, 1}, {0.025, 2}}));
  EXPECT_EQ(d[1].metrics.at(0).count, 2u);
}

// Sizes: classic buckets in bytes at powers of two, the sum in bytes, and
// no native buckets (those are powers of 2^(1/4) of seconds).
TEST(PrometheusProtobuf, SizeHistogramsAreClassicInBytes) {
  Histogram h;
  for (int k = 0; k < 3; ++k) h.record_ns(4096 - 1);  // as bpf/block.bpf.c records 4 KiB
  h.sum_seconds = 3 * 4096e-9;
  Snapshot s;
  Family f{"kscope_block_io_size_bytes", "Sizes.", MetricType::kHistogram, {{{{"device", "vda"}}, 0, h}}};
  f.unit = HistogramUnit::kBytes;
  s.families.push_back(f);
  auto d = decode(render_prometheus_protobuf(s, {1e-3}));
  const auto& m = d.at(0).metrics.at(0);
  EXPECT_EQ(m.count, 3u);
  EXPECT_DOUBLE_EQ(m.sum, 12288);
  ASSERT_EQ(m.classic.size(), size_le_bytes().size());
  EXPECT_EQ(m.classic[2], (std::pair<double, uint64_t>{2048, 0}));
  EXPECT_EQ(m.classic[3], (std::pair<double, uint64_t>{4096, 3}));
  EXPECT_TRUE(m.spans.empty());
}

TEST(PrometheusProtobuf, EmptyHistogramHasTheNoOpSpan) {
  Snapshot s;
  s.families.push_back({"kscope_h", "H.", MetricType::kHistogram, {{{}, 0, Histogram{}}}});
  auto d = decode(render_prometheus_protobuf(s, {1e-3}));
  const auto& m = d.at(0).metrics.at(0);
  ASSERT_EQ(m.spans.size(), 1u);
  EXPECT_EQ(m.spans[0], (std::pair<int64_t, uint64_t>{0, 0}));
  EXPECT_TRUE(m.deltas.empty());
}

TEST(PrometheusProtobuf, AcceptHeaderNegotiation) {
  // What Prometheus 2.42 sends with --enable-feature=native-histograms.
  EXPECT_TRUE(accepts_protobuf("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                               "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"));
  EXPECT_TRUE(accepts_protobuf(std::string(kProtobufContentType)));
  // Without the feature, and other clients.
  EXPECT_FALSE(accepts_protobuf("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                                "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
  EXPECT_FALSE(accepts_protobuf(""));
  EXPECT_FALSE(accepts_protobuf("*/*"));
  // Text preferred, another encoding or message, q=0, junk.
  EXPECT_FALSE(accepts_protobuf("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                                "encoding=delimited;q=0.3,text/plain;q=0.7"));
  EXPECT_FALSE(accepts_protobuf("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text"));
  EXPECT_FALSE(accepts_protobuf("application/vnd.google.protobuf;proto=other.Message;encoding=delimited"));
  EXPECT_FALSE(accepts_protobuf("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                                "encoding=delimited;q=0"));
  EXPECT_FALSE(accepts_protobuf(";;,,=;q=;"));
  EXPECT_FALSE(accepts_protobuf(std::string(5000, ',') + std::string(kProtobufContentType)));
}

}  // namespace kscope
