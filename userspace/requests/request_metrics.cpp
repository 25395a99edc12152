#include "requests/request_metrics.h"

#include <arpa/inet.h>

#include <algorithm>

namespace kscope::requests {
namespace {

// An unambiguous key: each value with its length in front.
std::string key_of(const Labels& labels) {
  std::string key;
  for (const auto& [name, value] : labels) {
    key += std::to_string(value.size());
    key += ':';
    key += value;
  }
  return key;
}

void fold_label(Labels& labels, std::string_view name) {
  for (auto& [k, v] : labels) {
    if (k == name) v = "_OTHER";
  }
}

void append_sorted(const std::unordered_map<std::string, Series>& table, Family& f) {
  for (const auto& [key, s] : table) f.series.push_back(s);
  std::sort(f.series.begin(), f.series.end(), [](const Series& a, const Series& b) { return a.labels < b.labels; });
}

}  // namespace

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
    : breakdown_label_(std::move(breakdown_label)), max_series_(std::max<size_t>(max_series, 1)) {}

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
  add(e.role == Role::kClient ? client_ : server_, std::move(labels), e.duration_ns());
}

void RequestMetrics::add(Table& table, Labels labels, uint64_t duration_ns) {
  std::string key = key_of(labels);
  auto it = table.find(key);
  if (it == table.end() && table.size() >= max_series_) {
    fold_label(labels, "http_route");
    fold_label(labels, "server_address");
    fold_label(labels, "server_port");
    key = key_of(labels);
    it = table.find(key);
  }
  if (it == table.end() && table.size() >= 2 * max_series_) {
    // Still new after folding the open-ended labels (many statuses or
    // breakdown values): one series takes the rest.
    for (auto& [k, v] : labels) v = k == breakdown_label_ ? "other" : "_OTHER";
    key = key_of(labels);
    it = table.find(key);
  }
  if (it == table.end()) {
    Series s;
    s.labels = std::move(labels);
    s.histogram.emplace();
    it = table.emplace(std::move(key), std::move(s)).first;
  }
  it->second.histogram->record_ns(duration_ns);
}

void RequestMetrics::append(std::vector<Family>& out, const DropCounts& drops) const {
  Family server{kServerDurationMetric,
                "Duration of HTTP server requests: from the request's arrival to the first byte of the response "
                "written.",
                MetricType::kHistogram, {}};
  append_sorted(server_, server);
  Family client{kClientDurationMetric,
                "Duration of HTTP client requests: from the request's first write to the arrival of the "
                "response.",
                MetricType::kHistogram, {}};
  append_sorted(client_, client);
  Family dropped{kDroppedMetric, "Requests the request engine could not follow, by protocol and reason.",
                 MetricType::kCounter, {}};
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    dropped.series.push_back(
        {{{"protocol", "http"}, {"reason", std::string(drop_reason_name(static_cast<DropReason>(i)))}},
         static_cast<double>(drops[i]),
         {}});
  }
  server.le_seconds = otel_http_duration_le_seconds();
  client.le_seconds = otel_http_duration_le_seconds();
  out.push_back(std::move(server));
  out.push_back(std::move(client));
  out.push_back(std::move(dropped));
}

}  // namespace kscope::requests
