// On-demand profiles over HTTP, served by `kscope run`:
//   GET /api/v1/profile?type=cpu|offcpu&seconds=N&format=svg|html|folded|pprof[&pid=P]
//   GET /debug/pprof/profile?seconds=N   (the Go convention that Parca and
//                                         Pyroscope scrape: CPU, pprof)
// One recording at a time; a second request meanwhile gets 409.
#pragma once

#include <memory>

#include "export/http_server.h"
#include "symbolize/symbolizer.h"

namespace kscope {

void install_profile_routes(HttpServer& http, std::shared_ptr<Symbolizer> symbolizer);

}  // namespace kscope
