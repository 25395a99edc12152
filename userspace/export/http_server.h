// The embedded HTTP/1.1 + WebSocket server (Boost.Beast on Asio): routes,
// bearer-token protection, request limits, optional TLS.
//
// Threads: io_threads (default 1) run every socket, evented: accepting,
// reading requests, writing responses, WebSocket frames. Handlers never run
// there: they run on two small worker pools (export/worker_pool.h), one for
// quick handlers and one for routes declared HandlerKind::kBlocking (a
// profile recorded for N seconds), so a blocking handler can only hold the
// blocking pool and the API keeps answering. Handlers must be thread-safe;
// they read immutable snapshots, so they are.
//
// Limits (tests/e2e/http_abuse.sh): request headers max_header_bytes (431),
// body max_body_bytes (413), the whole request within request_timeout_ms
// (slowloris is cut off), max_connections open at once (more are refused and
// counted), full worker queues answer 503.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "export/http_message.h"
#include "export/websocket_peer.h"

namespace kscope {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:9494";  // host:port
  std::string token;                      // empty: no auth
  bool protect_metrics = false;           // token needed for /metrics too
  // PEM files; both set: serve HTTPS (and WSS) only.
  std::string tls_cert;
  std::string tls_key;
  int io_threads = 1;
  int quick_workers = 2;
  int blocking_workers = 2;
  size_t max_connections = 4096;
  size_t max_header_bytes = 16384;
  size_t max_body_bytes = size_t{1} << 20;
  // The whole request (headers and body) must arrive within this, and an idle
  // keep-alive connection is closed after it.
  int request_timeout_ms = 5000;
};

// kQuick: milliseconds of work (the API). kBlocking: waits by design (a
// profile recorded for N seconds); runs on its own pool, at most
// blocking_workers at once plus a few queued, more get 503.
enum class HandlerKind { kQuick, kBlocking };

// Counters since start (for /metrics: export/http_metrics.h).
struct HttpServerStats {
  uint64_t connections = 0;             // open now (WebSocket included)
  uint64_t connections_refused = 0;     // over max_connections
  uint64_t requests = 0;
  uint64_t rejected_header_too_large = 0;
  uint64_t rejected_body_too_large = 0;
  uint64_t rejected_bad_request = 0;
  uint64_t rejected_busy = 0;           // a worker queue was full
  uint64_t timed_out = 0;               // request deadline or idle keep-alive
  uint64_t websocket_clients = 0;       // open now
  uint64_t websocket_refused = 0;       // the endpoint's on_open said no
  uint64_t websocket_sent = 0;
  uint64_t websocket_dropped_queue_full = 0;
  uint64_t websocket_cut_slow = 0;
};

class HttpServer {
 public:
  // Binds and starts serving. A port in use, or a certificate or key that
  // does not load, is an error naming it.
  static Result<std::unique_ptr<HttpServer>> start(const HttpServerOptions& options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Exact path, or a prefix when it ends with '/'. Longest match wins.
  void route(const std::string& path, HttpHandler handler, HandlerKind kind = HandlerKind::kQuick);
  // A route served without the token: only for content that holds no data
  // (the dashboard's static files, which then ask for the token).
  void route_public(const std::string& path, HttpHandler handler);

  // A WebSocket endpoint at exactly this path. The upgrade needs the token
  // too: an Authorization header with a wrong one is refused (401); with none
  // the handler decides (on_open's authorized is false).
  void websocket(const std::string& path, WebSocketHandler handler);
  // After it returns no handler of that endpoint runs again, and its clients
  // are closed.
  void close_websocket(const std::string& path);

  // Runs f when the server is being destroyed, before it waits for the
  // handlers still running: a handler that blocks for long (a profile
  // recorded for N seconds) uses it to return early instead of holding up
  // shutdown.
  void on_stop(std::function<void()> f);

  // The port actually bound (useful with port 0).
  int port() const;
  bool tls() const;

  // Whether the request may proceed under the token rule.
  bool authorized(const std::string& path, const std::string& authorization_header) const;

  HttpServerStats stats() const;
  // stats(), callable after the server is gone (the last figures): for a
  // metrics source of a collector that outlives the server at shutdown.
  std::function<HttpServerStats()> stats_reader() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kscope
