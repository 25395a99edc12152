// The answer of GET /api/v1/query, declared once: the agent writes it
// (web/query_api.cpp) and `kscope top` and `kscope report` read it.
//
// {"name": "kscope_syscall_latency_seconds", "type": "histogram",
//  "aggregation": "p99", "found": true,
//  "start": 1700000000.0, "end": 1700000060.0, "step": 10.0,
//  "timestamps": [1700000000.0, ...],
//  "series": [{"labels": {"comm": "nginx"}, "values": [0.002, null, ...],
//              "mean": 0.0021}, ...]}
//
// Times are Unix seconds; a null value is a step without data. Reading is
// tolerant, as the answer comes over the network: a missing field or one of
// the wrong type reads as absent, and nothing throws.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kscope {

struct QueryAnswerSeries {
  std::map<std::string, std::string> labels;
  std::vector<std::optional<double>> values;  // one per timestamp; nullopt: no data
  std::optional<double> mean;  // over the range; nullopt: no data

  // The label's value, or null when the series has no such label.
  const std::string* label(const std::string& name) const;
  // The newest value that is not null.
  std::optional<double> newest() const;
};

struct QueryAnswer {
  std::string name;
  std::string type;         // counter | gauge | histogram
  std::string aggregation;  // as the agent understood it (rate, p99, ...)
  bool found = false;       // false: no such metric in the history
  double start = 0;
  double end = 0;
  double step = 0;  // seconds
  std::vector<double> timestamps;
  std::vector<QueryAnswerSeries> series;
};

// Non-finite values are written as null.
void to_json(nlohmann::json& j, const QueryAnswerSeries& s);
void to_json(nlohmann::json& j, const QueryAnswer& a);
void from_json(const nlohmann::json& j, QueryAnswerSeries& s);
void from_json(const nlohmann::json& j, QueryAnswer& a);

}  // namespace kscope
