// The HTTP server's own figures as metric families for /metrics: open
// connections and WebSocket clients, refusals by reason, and the updates a
// slow WebSocket client lost.
#pragma once

#include <vector>

#include "model/snapshot.h"
#include "export/http_server.h"

namespace kscope {

void append_http_families(const HttpServerStats& stats, std::vector<Family>& out);

}  // namespace kscope
