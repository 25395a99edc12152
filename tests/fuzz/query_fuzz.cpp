// libFuzzer target: the REST query string of /api/v1/query as a client sends
// it (URL decoding, parameter lookup, durations, the series selector), and
// the matchers it yields run on hostile label values.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "export/http_message.h"
#include "query/selector.h"
#include "web/query_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);
  kscope::HttpRequest req;
  req.method = "GET";
  req.path = "/api/v1/query";
  req.query = raw;
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  (void)kscope::query_spec_from_request(req, now, std::chrono::seconds(1));
  std::string name;
  auto matchers = kscope::parse_selector(raw, &name);
  if (matchers) {
    (void)kscope::matches_all(*matchers, std::vector<std::pair<std::string, std::string>>{
                                             {"comm", raw}, {"syscall", "read"}, {"cgroup", ""}});
  }
  return 0;
}
