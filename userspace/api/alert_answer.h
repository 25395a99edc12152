// One alert in GET /api/v1/alerts (and the dashboard's "alerts" WebSocket
// topic), declared once: the agent writes it (alerts/alert_json.h builds it
// from an Alert) and `kscope report` reads it.
//
// {
//   "rule": "RunQueueLatencyHigh", "severity": "warning",
//   "state": "pending",                      // pending | firing | resolved
//   "target": "postgres",                    // null for a host-wide alert
//   "kernel": false,                         // the target is a kernel thread
//   "value": 0.081, "threshold": 0.05,       // base units (seconds, ratio 0..1, per second)
//   "unit": "duration",                      // duration | ratio | rate | number | burn
//   "value_text": "81ms", "threshold_text": "50ms",   // in the rule's unit, for people
//   "since": "2026-11-22T08:40:01.123Z",     // when it entered its state (pending: first
//                                            // breach, firing: fired, resolved: resolved)
//   "labels": {...}, "annotations": {...},
//   "activeAt": "...", "firedAt": "..." | null, "resolvedAt": "..." | null,
//   "fingerprint": "0123456789abcdef", "generatorURL": "http://..."
// }
//
// The API adds the notification policy's view of each alert (id, silenced,
// silencedBy, flapping, escalated, ack: agent/alerts_api.cpp). Reading is
// tolerant (see api/query_answer.h).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace kscope {

struct AlertAnswer {
  std::string rule;
  std::string severity;
  std::string state;
  std::optional<std::string> target;  // nullopt: host-wide
  bool kernel = false;
  std::optional<double> value;
  std::optional<double> threshold;
  std::string unit;
  std::string value_text;
  std::string threshold_text;
  std::optional<std::string> since;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string active_at;
  std::optional<std::string> fired_at;
  std::optional<std::string> resolved_at;
  std::string fingerprint;
  std::string generator_url;
};

void to_json(nlohmann::json& j, const AlertAnswer& a);
void from_json(const nlohmann::json& j, AlertAnswer& a);

}  // namespace kscope
