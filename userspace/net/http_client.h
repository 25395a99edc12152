// Small blocking HTTP requests over libcurl: the alert sinks' POSTs (on
// their worker threads, never the collector thread) and `kscope report
// --prometheus`'s GETs. libcurl is loaded on the first call
// (net/curl_library.h); where it is missing, every call returns an error
// naming it. http and https only, no redirects followed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/duration.h"
#include "common/result.h"

namespace kscope {

struct HttpPostResult {
  long status = 0;
  std::string body;  // the first 4 KiB of the response
};

// How the server's certificate is checked (https, smtps, STARTTLS).
struct TlsOptions {
  std::string ca_file;    // the CA bundle to trust instead of the system's; "" for the system's
  bool insecure = false;  // no verification at all (a self-signed test relay)
};

// POSTs body with Content-Type: application/json. A transport failure
// (refused, timeout) is an error; any HTTP status is a result.
Result<HttpPostResult> http_post_json(const std::string& url, const std::string& body,
                                      const std::vector<std::string>& headers, Nanos timeout,
                                      const TlsOptions& tls = {});

// http_post_json expecting a 2xx answer: any other status is an error quoting
// the start of the answer. Errors name the URL as `shown` (webhook URLs of
// Slack, Discord and Teams hold their secret in the path).
Status http_post_expect_2xx(const std::string& url, std::string_view shown, const std::string& body,
                            const std::vector<std::string>& headers, Nanos timeout, const TlsOptions& tls = {});

// scheme://host[:port]/… : a URL without the path and query that may hold a
// token, for logs and /api/v1/health.
std::string redact_url(std::string_view url);

// Applies tls to a curl handle (CURLOPT_CAINFO, CURLOPT_SSL_VERIFYPEER/HOST).
void apply_tls_options(void* curl_handle, const TlsOptions& tls);

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
