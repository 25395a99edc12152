// Prometheus protobuf exposition (io.prometheus.client.MetricFamily,
// varint-length-delimited) of a snapshot, with native histograms
// (export/native_histogram.h). Prometheus asks for it when its
// native-histograms feature is on; everyone else gets the text format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace kscope {

inline constexpr std::string_view kProtobufContentType =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

// Whether an Accept header prefers the delimited MetricFamily protobuf over
// the text format: it lists it (with proto= and encoding=delimited) at a
// q-value above 0 and at least that of text/plain. A missing, malformed or
// oversized header means text.
bool accepts_protobuf(std::string_view accept);

// Every family with series, in snapshot order. Histograms carry the native
// buckets and also the classic ones at `le_seconds` (for scrapers that keep
// both); counters and gauges their value. Label values go out as they are
// (protobuf strings need no escaping; invalid UTF-8 is replaced, as the
// text format does).
std::string render_prometheus_protobuf(const Snapshot& snapshot, const std::vector<double>& le_seconds);
// The same for families held elsewhere (export/metrics_view.h), in order.
std::string render_prometheus_protobuf(const std::vector<const Family*>& families,
                                       const std::vector<double>& le_seconds);

}  // namespace kscope
