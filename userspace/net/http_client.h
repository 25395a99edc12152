// Small blocking HTTP requests over libcurl: the alert sinks' POSTs (on
// their worker threads, never the collector thread) and `kscope report
// --prometheus`'s GETs. libcurl is loaded on the first call
// (net/curl_library.h); where it is missing, every call returns an error
// naming it. http and https only, no redirects followed.
#pragma once

#include <cstddef>
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

struct HttpGetResult {
  long status = 0;
  std::string content_type;
  std::string body;  // whole, at most max_body bytes
};

// GETs url. A transport failure, or a body longer than max_body (the
// transfer is aborted there, so a huge answer never sits in memory), is an
// error; any HTTP status is a result.
Result<HttpGetResult> http_get(const std::string& url, const std::vector<std::string>& headers, Nanos timeout,
                               size_t max_body);

}  // namespace kscope
