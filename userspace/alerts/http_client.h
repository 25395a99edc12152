// A small blocking HTTP POST over libcurl, for the alert sinks' worker
// threads (never the collector thread). libcurl is loaded on the first call
// (alerts/curl_library.h); where it is missing, every call returns an error
// naming it.
#pragma once

#include <string>
#include <vector>

#include "common/duration.h"
#include "common/result.h"

namespace kscope {

struct HttpPostResult {
  long status = 0;
  std::string body;  // the first 4 KiB of the response
};

// POSTs body with Content-Type: application/json. A transport failure
// (refused, timeout) is an error; any HTTP status is a result.
Result<HttpPostResult> http_post_json(const std::string& url, const std::string& body,
                                      const std::vector<std::string>& headers, Nanos timeout);

}  // namespace kscope
