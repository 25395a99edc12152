// One alert as the API shows it (GET /api/v1/alerts, the dashboard's
// "alerts" WebSocket topic): the shape is api/alert_answer.h. Strings from
// watched processes (target, labels) are sanitized UTF-8; nlohmann escapes
// the rest.
#pragma once

#include <nlohmann/json.hpp>

#include "alerts/alert.h"
#include "api/alert_answer.h"

namespace kscope {

AlertAnswer alert_answer(const Alert& a);
nlohmann::json alert_json(const Alert& a);

// When the alert entered its current state ("since" in api/alert_answer.h).
WallTime alert_since(const Alert& a);

}  // namespace kscope
