// The JSON of one alert in GET /api/v1/alerts (and the dashboard's
// "alerts" WebSocket topic), declared once:
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
// Strings from watched processes (target, labels) are sanitized UTF-8;
// nlohmann escapes the rest.
#pragma once

#include <nlohmann/json.hpp>

#include "alerts/alert.h"

namespace kscope {

nlohmann::json alert_json(const Alert& a);

// When the alert entered its current state (see above).
WallTime alert_since(const Alert& a);

}  // namespace kscope
