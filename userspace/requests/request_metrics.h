// Request durations as OpenTelemetry's HTTP semantic conventions name them
// once exported to Prometheus, in kscope's Family/Series model:
//   http_server_request_duration_seconds{http_request_method,
//     http_response_status_code, http_route, network_protocol_version,
//     url_scheme, <breakdown>}
//   http_client_request_duration_seconds{http_request_method,
//     http_response_status_code, http_route, network_protocol_version,
//     server_address, server_port, <breakdown>}
//   kscope_l7_dropped_total{protocol="http", reason}
// Histograms are cumulative since start, in the fine log-linear buckets of
// collect/histogram.h; /metrics exports them at otel_http_duration_le_seconds().
// Each family holds about max_series series: an exchange that would add
// one more is recorded with http_route, server_address and server_port
// set to "_OTHER"; past 2 * max_series, one series with every label
// "_OTHER" (the breakdown "other") takes what would still be new. So a
// family never exceeds 2 * max_series + 1 series, and no exchange is lost.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"
#include "requests/capped_series.h"
#include "requests/drop_reason.h"
#include "requests/exchange_matcher.h"

namespace kscope::requests {

inline constexpr const char* kServerDurationMetric = "http_server_request_duration_seconds";
inline constexpr const char* kClientDurationMetric = "http_client_request_duration_seconds";

// OpenTelemetry's default explicit bucket boundaries for HTTP durations:
// 0.005 .. 10 seconds (14 values).
const std::vector<double>& otel_http_duration_le_seconds();

// "192.0.2.1" for an IPv4-mapped address, RFC 5952 text for IPv6,
// "unknown" when the address was not captured.
std::string address_text(const SocketAddress& a);

class RequestMetrics {
 public:
  // breakdown_label: "comm", "cgroup", ... or "" for no breakdown.
  RequestMetrics(std::string breakdown_label, size_t max_series);

  void record(const Exchange& e, std::string_view route, std::string_view breakdown);

  // Appends the two duration families (only series with data) and the
  // drop counter (every reason, zeros included).
  void append(std::vector<Family>& out, const DropCounts& drops) const;

  size_t series() const { return server_.size() + client_.size(); }

 private:
  std::string breakdown_label_;
  CappedSeries server_;
  CappedSeries client_;
};

}  // namespace kscope::requests
