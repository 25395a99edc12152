// One profile capture in GET /api/v1/captures (a list under "captures") and
// GET /api/v1/captures/ID, declared once: the agent writes it
// (agent/alerts_api.cpp) and `kscope report` reads it.
//
// {"id": "20261207T100000Z-RunQueueLatencyHigh-1", "rule": "RunQueueLatencyHigh",
//  "target": "postgres" | null, "status": "done", "error": "",
//  "started": "2026-12-07T10:00:00.000Z", "duration_seconds": 10.0, "bytes": 48213,
//  "files": {"cpu.svg": "http://host:9090/api/v1/captures/ID/cpu.svg", ...}}
//
// Reading is tolerant (see api/query_answer.h).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace kscope {

struct CaptureAnswer {
  std::string id;
  std::string rule;
  std::optional<std::string> target;
  std::string status;
  std::string error;
  std::string started;
  double duration_seconds = 0;
  uint64_t bytes = 0;
  std::map<std::string, std::string> files;  // file name -> URL
};

void to_json(nlohmann::json& j, const CaptureAnswer& c);
void from_json(const nlohmann::json& j, CaptureAnswer& c);

}  // namespace kscope
