// The answer of GET /api/v1/services, declared once: the agent writes it
// (agent/service_map_api.cpp) and `kscope top`'s edges view reads it.
//
// {"time": "2026-12-07T10:00:00Z", "interval_seconds": 1.0, "breakdown": "comm",
//  "edges": [{"client": "curl", "protocol": "http",
//             "server": {"address": "127.0.0.1", "port": "8080", "process": "nginx", "pid": 812},
//             "requests_per_second": 40.0, "error_ratio": 0.0,
//             "p50_seconds": 0.0002, "p99_seconds": 0.004, "count": 40}, ...]}
//
// server.process and pid are null for a remote server or one not found.
// Reading is tolerant (see api/query_answer.h).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kscope {

struct ServiceEdgeAnswer {
  std::string client;  // breakdown value of the caller; "host" without breakdown
  std::string protocol;
  std::string server_address;
  std::string server_port;
  std::optional<std::string> server_process;  // the local process listening there
  std::optional<int64_t> server_pid;
  std::optional<double> requests_per_second;
  std::optional<double> error_ratio;
  std::optional<double> p50_seconds;
  std::optional<double> p99_seconds;
  uint64_t count = 0;
};

struct ServiceMapAnswer {
  std::string time;  // RFC 3339, UTC
  double interval_seconds = 0;
  std::string breakdown;
  std::vector<ServiceEdgeAnswer> edges;
  bool has_edges = false;  // read: the answer carried an "edges" list
};

void to_json(nlohmann::json& j, const ServiceEdgeAnswer& e);
void to_json(nlohmann::json& j, const ServiceMapAnswer& a);
void from_json(const nlohmann::json& j, ServiceEdgeAnswer& e);
void from_json(const nlohmann::json& j, ServiceMapAnswer& a);

}  // namespace kscope
