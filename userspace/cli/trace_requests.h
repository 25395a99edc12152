// `kscope trace http|db|requests`: requests and database operations as the
// request engines match them with their answers, one line (or JSON object)
// each, filtered by latency, status, process and side; on Ctrl-C a summary
// with every request that could not be seen, by reason. Loads the l7 probe
// alone, whatever the config file says.
#pragma once

#include <cstdint>
#include <string>

namespace kscope {

struct RequestTraceOptions {
  std::string what;         // "http", "db" or "requests"
  std::string min_latency;  // "" or a duration
  std::string status;       // "" or "5xx,404,error,..."
  std::string side;         // "", "server" or "client"
  uint32_t pid = 0;
  bool json = false;
  bool tls = false;
  uint32_t capture_bytes = 0;  // 0: the default config's
  std::string duration;
};

int run_request_trace(const RequestTraceOptions& o);

}  // namespace kscope
