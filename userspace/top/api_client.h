// A small blocking HTTP GET client for a running `kscope run`'s API, used by
// `kscope top` and `kscope report` (on Boost.Beast, like the server).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace kscope {

struct ApiResponse {
  int status = 0;
  std::string body;
};

class ApiClient {
 public:
  // url: http://host[:port][/prefix]; token: sent as a bearer token when not empty.
  static Result<ApiClient> create(const std::string& url, std::string token, int timeout_ms = 5000);

  // GET prefix + path_and_query. A transport failure is an error; any HTTP
  // status is a response.
  Result<ApiResponse> get(const std::string& path_and_query) const;

  // GET and parse JSON; a non-200 status is an error carrying the API's
  // {"error": ...} message.
  Result<nlohmann::json> get_json(const std::string& path_and_query) const;

  const std::string& url() const { return url_; }

 private:
  std::string url_, host_, prefix_, token_;
  int port_ = 80;
  int timeout_ms_ = 5000;
};

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view in);

// The bearer token from a file (first line) or else an environment variable;
// empty when neither is given.
Result<std::string> read_api_token(const std::string& token_file, const std::string& token_env);

}  // namespace kscope
