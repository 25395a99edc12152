#include "requests/request_metrics.h"

#include <arpa/inet.h>

#include <algorithm>

namespace kscope::requests {

const std::vector<double>& otel_http_duration_le_seconds() {
  static const std::vector<double> kLe = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                          0.5,   0.75, 1,     2.5,  5,     7.5, 10};
  return kLe;
}

std::string address_text(const SocketAddress& a) {
  if (!a.known) return "unknown";
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char buf[INET6_ADDRSTRLEN] = {};
  if (std::equal(std::begin(kMapped), std::end(kMapped), a.address.begin())) {
    inet_ntop(AF_INET, a.address.data() + 12, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, a.address.data(), buf, sizeof(buf));
  }
  return buf;
}

RequestMetrics::RequestMetrics(std::string breakdown_label, size_t max_series)
    : breakdown_label_(std::move(breakdown_label)),
      server_(max_series, {"http_route"}, breakdown_label_),
      client_(max_series, {"http_route", "server_address", "server_port"}, breakdown_label_) {}

void RequestMetrics::record(const Exchange& e, std::string_view route, std::string_view breakdown) {
  Labels labels;
  labels.reserve(8);
  labels.emplace_back("http_request_method", e.method);
  labels.emplace_back("http_response_status_code", std::to_string(e.status));
  labels.emplace_back("http_route", route);
  labels.emplace_back("network_protocol_version", version_name(e.version));
  if (e.role == Role::kClient) {
    labels.emplace_back("server_address", address_text(e.peer));
    labels.emplace_back("server_port", e.peer.known ? std::to_string(e.peer.port) : "unknown");
  } else {
    labels.emplace_back("url_scheme", e.tls ? "https" : "http");
  }
  if (!breakdown_label_.empty()) labels.emplace_back(breakdown_label_, breakdown);
  (e.role == Role::kClient ? client_ : server_).record_ns(std::move(labels), e.duration_ns());
}

void RequestMetrics::append(std::vector<Family>& out, const DropCounts& drops) const {
  Family server{kServerDurationMetric,
                "Duration of HTTP server requests: from the request's arrival to the first byte of the response "
                "written.",
                MetricType::kHistogram, {}};
  server_.append_to(server);
  Family client{kClientDurationMetric,
                "Duration of HTTP client requests: from the request's first write to the arrival of the "
                "response.",
                MetricType::kHistogram, {}};
  client_.append_to(client);
  server.le_seconds = otel_http_duration_le_seconds();
  client.le_seconds = otel_http_duration_le_seconds();
  out.push_back(std::move(server));
  out.push_back(std::move(client));
  append_drops(out, "http", drops);
}

}  // namespace kscope::requests
