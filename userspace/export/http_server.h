// The embedded HTTP server (civetweb): routes, bearer-token protection,
// request limits. Handlers run on civetweb worker threads and must be
// thread-safe; they read immutable snapshots, so they are.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"

struct mg_context;
struct mg_connection;

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

struct HttpServerOptions {
  std::string listen = "127.0.0.1:9494";  // host:port
  std::string token;                      // empty: no auth
  bool protect_metrics = false;           // token needed for /metrics too
  // civetweb serves a connection per thread (WebSocket clients included):
  // enough threads that dozens of slow or idle clients leave room for a
  // scrape, and a deadline on reading a request (headers and body) so a
  // client dribbling bytes is cut off (tests/e2e/http_abuse.sh).
  int threads = 64;
  int request_timeout_ms = 5000;
};

class HttpServer {
 public:
  // Binds and starts serving. A port in use is an error naming the address.
  static Result<std::unique_ptr<HttpServer>> start(const HttpServerOptions& options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Exact path, or a prefix when it ends with '/'. Longest match wins.
  void route(const std::string& path, HttpHandler handler);
  // A route served without the token: only for content that holds no data
  // (the dashboard's static files, which then ask for the token).
  void route_public(const std::string& path, HttpHandler handler);

  // Runs f when the server is being destroyed, before it waits for the
  // handlers still running: a handler that blocks for long (a profile
  // recorded for N seconds) uses it to return early instead of holding up
  // shutdown.
  void on_stop(std::function<void()> f);

  // The port actually bound (useful with port 0).
  int port() const { return port_; }

  // For extensions that need civetweb directly (WebSocket).
  mg_context* context() const { return ctx_; }

  // Whether the request may proceed under the token rule (used by the
  // WebSocket upgrade too).
  bool authorized(const std::string& path, const std::string& authorization_header) const;

 private:
  explicit HttpServer(HttpServerOptions options) : options_(std::move(options)) {}
  static int dispatch(mg_connection* conn, void* self);
  HttpResponse handle(const HttpRequest& req);

  HttpServerOptions options_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  std::mutex mu_;
  struct Route {
    HttpHandler handler;
    bool is_public = false;
  };
  std::map<std::string, Route> routes_;
  std::vector<std::function<void()>> on_stop_;  // guarded by mu_
};

// Percent-decoding of a URL component ('+' as space in queries).
std::string url_decode(const std::string& in, bool plus_is_space);

}  // namespace kscope
