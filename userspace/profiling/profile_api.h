// On-demand profiles over HTTP, served by `kscope run`:
//   GET /api/v1/profile?type=cpu|offcpu&seconds=N&format=svg|html|folded|pprof[&pid=P]
//   GET /debug/pprof/profile?seconds=N   (the Go convention that Parca and
//                                         Pyroscope scrape: CPU, pprof)
// One recording at a time; a second request meanwhile gets 409. Both record
// for N seconds: the agent routes them as HandlerKind::kBlocking
// (agent/routes.cpp), off the workers that answer the rest of the API.
#pragma once

#include <memory>

#include "export/http_message.h"
#include "symbolize/symbolizer.h"

namespace kscope {

struct ProfileRouteState;

class ProfileApi {
 public:
  explicit ProfileApi(std::shared_ptr<Symbolizer> symbolizer);
  ~ProfileApi();

  HttpResponse profile_response(const HttpRequest& req);
  HttpResponse pprof_response(const HttpRequest& req);
  // Ends a recording in progress (shutdown): it answers 503 rather than
  // hold up SIGTERM for up to 300 s.
  void stop();

 private:
  std::shared_ptr<Symbolizer> symbolizer_;
  std::shared_ptr<ProfileRouteState> state_;
};

}  // namespace kscope
