// What a route handler sees and returns: one HTTP request, already read and
// bounded by the server (export/http_server.h), and the response it answers.
// Plain structs with no server library in them, so handlers, tests and the
// fuzzers use them without the server.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kscope {

struct HttpRequest {
  std::string method;
  std::string path;   // decoded, without the query
  std::string query;  // raw query string
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The decoded value of a query parameter, or fallback.
  std::string param(const std::string& name, const std::string& fallback = {}) const;
  bool has_param(const std::string& name) const;
  // A header's value ("" when absent); name in lower case.
  std::string header(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse json(const std::string& body, int status = 200);
  // {"error": message} with the status.
  static HttpResponse json_error(int status, const std::string& message);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Percent-decoding of a URL component ('+' as space in queries).
std::string url_decode(const std::string& in, bool plus_is_space);

// Splits an origin-form request target ("/a%20b?x=1") into the decoded path
// and the raw query. False for any other form (absolute URLs, "*", junk).
bool split_target(std::string_view target, HttpRequest& out);

// The whole response (status line, headers, body) as one buffer, so it
// leaves in one write: a head and body written apart meet Nagle's algorithm
// and the client's delayed ACK and stall a keep-alive client ~40 ms a
// request. head_only: the headers of a HEAD request (Content-Length still
// the body's).
std::string serialize_response(const HttpResponse& response, bool head_only, bool keep_alive);

// "OK", "Not Found", ... ("" for codes kscope does not use).
std::string_view status_reason(int status);

}  // namespace kscope
