// What every connection of the HTTP server shares (internal to export/):
// the options, the routes, the WebSocket endpoints, the worker pools and the
// counters. Thread-safe: IO threads, workers and route registration use it
// at once.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "export/http_server.h"
#include "export/worker_pool.h"

namespace kscope {

struct ServerCounters {
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> rejected_header_too_large{0};
  std::atomic<uint64_t> rejected_body_too_large{0};
  std::atomic<uint64_t> rejected_bad_request{0};
  std::atomic<uint64_t> rejected_busy{0};
  std::atomic<uint64_t> timed_out{0};
  std::atomic<uint64_t> websocket_clients{0};
  std::atomic<uint64_t> websocket_refused{0};
  std::atomic<uint64_t> websocket_sent{0};
  std::atomic<uint64_t> websocket_dropped_queue_full{0};
  std::atomic<uint64_t> websocket_cut_slow{0};
};

// One WebSocket endpoint: its handlers, called only while it is open, and
// its live clients (so closing the endpoint closes them).
class WebSocketRoute {
 public:
  explicit WebSocketRoute(WebSocketHandler handler) : handler_(std::move(handler)) {}

  // False when the endpoint refuses the client or is closed.
  bool open(const std::shared_ptr<WebSocketPeer>& peer, const HttpRequest& req, bool authorized);
  void message(WebSocketPeer& peer, std::string_view text);
  void closed(WebSocketPeer& peer);
  // No handler runs once this returns; open clients are closed.
  void close();

 private:
  std::shared_mutex mu_;  // shared while a handler runs, exclusive to close
  WebSocketHandler handler_;
  bool closed_ = false;
  std::mutex peers_mu_;
  std::map<WebSocketPeer*, std::weak_ptr<WebSocketPeer>> peers_;
};

class ServerCore {
 public:
  explicit ServerCore(HttpServerOptions options);

  const HttpServerOptions& options() const { return options_; }
  ServerCounters& counters() { return *counters_; }
  const ServerCounters& counters() const { return *counters_; }
  // Shared, so a reader may outlive the server (HttpServer::stats_reader).
  std::shared_ptr<const ServerCounters> shared_counters() const { return counters_; }

  struct Match {
    HttpHandler handler;  // empty: no route
    bool is_public = false;
    HandlerKind kind = HandlerKind::kQuick;
  };
  void add_route(const std::string& path, HttpHandler handler, bool is_public, HandlerKind kind);
  Match find(const std::string& path) const;
  bool authorized(const std::string& path, const std::string& authorization) const;

  void add_websocket(const std::string& path, WebSocketHandler handler);
  std::shared_ptr<WebSocketRoute> find_websocket(const std::string& path) const;
  void close_websocket(const std::string& path);

  WorkerPool& pool(HandlerKind kind) { return kind == HandlerKind::kBlocking ? blocking_ : quick_; }
  void stop_workers();

 private:
  HttpServerOptions options_;
  std::shared_ptr<ServerCounters> counters_ = std::make_shared<ServerCounters>();
  mutable std::mutex mu_;
  struct Route {
    HttpHandler handler;
    bool is_public = false;
    HandlerKind kind = HandlerKind::kQuick;
  };
  std::map<std::string, Route> routes_;                                // guarded by mu_
  std::map<std::string, std::shared_ptr<WebSocketRoute>> websockets_;  // guarded by mu_
  WorkerPool quick_;
  WorkerPool blocking_;
};

// A place among max_connections, given back when the connection (or the
// WebSocket session it became) ends. Move-only.
class ConnectionSlot {
 public:
  // Empty when the server is at max_connections (the refusal is counted).
  static ConnectionSlot take(ServerCore& core);
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& o) noexcept : core_(o.core_) { o.core_ = nullptr; }
  ConnectionSlot& operator=(ConnectionSlot&& o) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot();
  explicit operator bool() const { return core_ != nullptr; }

 private:
  explicit ConnectionSlot(ServerCore* core) : core_(core) {}
  ServerCore* core_ = nullptr;
};

}  // namespace kscope
