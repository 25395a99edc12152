#include "signals/service_map.h"

#include <algorithm>
#include <map>
#include <optional>

#include "signals/request_families.h"

namespace kscope {
namespace {

std::string label_or(const Series& s, std::string_view name, std::string_view fallback) {
  const std::string* v = name.empty() ? nullptr : s.label(name);
  return v != nullptr ? *v : std::string(fallback);
}

// Fields of an edge's key, joined by NUL (label values never hold one).
std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> out;
  size_t at = 0;
  for (size_t nul; (nul = key.find('\0', at)) != std::string::npos; at = nul + 1) out.push_back(key.substr(at, nul - at));
  out.push_back(key.substr(at));
  return out;
}

}  // namespace

std::vector<ServiceEdge> service_edges(const IntervalPair& p, size_t max_edges) {
  std::vector<ServiceEdge> edges;
  const double secs = p.seconds > 0 ? p.seconds : 1;
  for (const auto& f : kClientRequestFamilies) {
    auto key_of = [&p, &f](const Series& s) -> std::optional<std::string> {
      std::string client = p.breakdown.empty() ? "" : label_or(s, p.breakdown, "");
      return client + '\0' + label_or(s, f.protocol_label, "http") + '\0' + label_or(s, "server_address", "unknown") +
             '\0' + label_or(s, "server_port", "unknown");
    };
    auto all = histogram_increase_by(p, f.name, key_of);
    auto failed = histogram_increase_by(p, f.name, [&](const Series& s) -> std::optional<std::string> {
      return request_series_failed(f, s) ? key_of(s) : std::nullopt;
    });
    for (const auto& [key, h] : all) {
      auto parts = split_key(key);
      if (parts.size() != 4) continue;
      ServiceEdge e{parts[0], parts[1], parts[2], parts[3]};
      e.count = h.count();
      e.requests_per_second = double(e.count) / secs;
      auto bad = failed.find(key);
      e.error_ratio = bad == failed.end() || e.count == 0 ? 0 : double(bad->second.count()) / double(e.count);
      e.p50_seconds = h.quantile_seconds(0.5);
      e.p99_seconds = h.quantile_seconds(0.99);
      edges.push_back(std::move(e));
    }
  }
  std::stable_sort(edges.begin(), edges.end(),
                   [](const ServiceEdge& a, const ServiceEdge& b) { return a.count > b.count; });
  if (edges.size() > max_edges) edges.resize(max_edges);
  return edges;
}

}  // namespace kscope
