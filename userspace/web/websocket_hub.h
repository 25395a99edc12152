// GET /ws: live updates for the dashboard. After each collector interval the
// hub evaluates every client's subscriptions over the newest history frame
// and pushes the points, on its own thread (a slow client never holds up the
// collector).
//
// Protocol (JSON text frames):
//   client -> {"auth": "<token>"}             first, when a token is configured
//                                              and no Authorization header came
//   client -> {"subscribe": {"id": "lat", "name": "kscope_syscall_latency_seconds",
//              "match": "{comm=\"x\"}", "aggregation": "p99", "by": "comm", "limit": 10}}
//   client -> {"subscribe": {"id": "a", "topic": "alerts"}}   a registered topic
//   client -> {"unsubscribe": "lat"}
//   server -> {"type": "hello", "interval": s, "topics": [...]}
//   server -> {"type": "update", "t": unix s, "id": "lat",
//              "series": [{"labels": {...}, "value": v|null}]}
//   server -> {"type": "topic", "t": unix s, "id": "a", "data": <topic json>}
//   server -> {"type": "error", "id": "...", "error": "..."}
//
// Limits: kMaxClients connections (each holds a civetweb worker thread),
// kMaxSubscriptions per client, kMaxMessage bytes per client message.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "export/http_server.h"
#include "history/history.h"
#include "history/query.h"

struct mg_connection;

namespace kscope {

class WebSocketHub {
 public:
  static constexpr size_t kMaxClients = 4;
  static constexpr size_t kMaxSubscriptions = 32;
  static constexpr size_t kMaxMessage = 8192;

  using Topic = std::function<nlohmann::json()>;

  // Registers the /ws handler on the server's civetweb context.
  WebSocketHub(HttpServer& server, const History& history, Nanos interval);
  ~WebSocketHub();
  WebSocketHub(const WebSocketHub&) = delete;
  WebSocketHub& operator=(const WebSocketHub&) = delete;

  // A named JSON document clients may subscribe to (alerts, signals). Add
  // before clients connect.
  void add_topic(const std::string& name, Topic topic);

  // Wakes the hub thread: a new history frame exists. Cheap; any thread.
  void notify();

  // Ends the hub thread; no write happens after it returns.
  void stop();

  size_t clients() const;
  uint64_t messages_sent() const;

 private:
  struct Subscription {
    std::string id;
    std::string topic;  // or a query:
    QuerySpec query;
  };
  struct Client {
    mg_connection* conn = nullptr;
    bool authorized = false;
    std::vector<Subscription> subs;
  };

  static int on_connect(const mg_connection* conn, void* self);
  static void on_ready(mg_connection* conn, void* self);
  static int on_data(mg_connection* conn, int bits, char* data, size_t len, void* self);
  static void on_close(const mg_connection* conn, void* self);

  // Handles one client message; returns false to close the connection.
  bool handle_message(mg_connection* conn, const std::string& text);
  void send(mg_connection* conn, const nlohmann::json& message);
  void loop();
  void push_updates();

  HttpServer& server_;
  const History& history_;
  Nanos interval_;
  std::map<std::string, Topic> topics_;

  mutable std::mutex mu_;  // clients_; held while writing so a closing connection waits
  std::map<const mg_connection*, Client> clients_;
  uint64_t sent_ = 0;

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kscope
