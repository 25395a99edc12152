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
// Evented (export/http_server.h): a client costs a socket and a queue, not a
// thread, so hundreds watch at once. Each interval's update is computed once
// per distinct subscription, not once per client, and handed to every
// client's own bounded send queue (a client that stops reading loses its own
// updates and is cut off; no other waits for it).
//
// Limits: kMaxClients connections, kMaxSubscriptions per client,
// kMaxMessage bytes per client message, kAuthDeadline to send the token.
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

namespace kscope {

class WebSocketHub {
 public:
  static constexpr size_t kMaxClients = 2048;
  static constexpr size_t kMaxSubscriptions = 32;
  static constexpr size_t kMaxMessage = 8192;
  static constexpr std::chrono::seconds kAuthDeadline{10};

  using Topic = std::function<nlohmann::json()>;

  // Starts the hub thread; serve() puts it on the server.
  WebSocketHub(HttpServer& server, const History& history, Nanos interval);
  ~WebSocketHub();
  WebSocketHub(const WebSocketHub&) = delete;
  WebSocketHub& operator=(const WebSocketHub&) = delete;

  // Serves the live feed at `path` (the agent's route table names it);
  // stop() closes it.
  void serve(const std::string& path);

  // A named JSON document clients may subscribe to (alerts, signals). Add
  // before clients connect.
  void add_topic(const std::string& name, Topic topic);

  // Wakes the hub thread: a new history frame exists. Cheap; any thread.
  void notify();

  // Ends the hub thread and the endpoint (its clients are closed); no
  // send happens after it returns.
  void stop();

  size_t clients() const;
  uint64_t messages_sent() const;

 private:
  struct Subscription {
    std::string id;
    std::string topic;  // or a query:
    QuerySpec query;
    std::string key;    // the query's parameters, canonical: equal keys, equal results
  };
  struct Client {
    std::weak_ptr<WebSocketPeer> peer;
    bool authorized = false;
    std::chrono::steady_clock::time_point opened;
    std::vector<Subscription> subs;
  };

  bool on_open(const std::shared_ptr<WebSocketPeer>& peer, bool authorized);
  void on_message(WebSocketPeer& peer, std::string_view text);
  void on_close(WebSocketPeer& peer);

  // Handles one client message; returns false to close the connection.
  // Caller holds mu_.
  bool handle_message(WebSocketPeer& peer, Client& client, const std::string& text);
  void send(WebSocketPeer& peer, const nlohmann::json& message);  // caller holds mu_
  nlohmann::json hello() const;
  void loop();
  void push_updates();

  HttpServer& server_;
  std::string path_;  // where serve() put it; empty before
  const History& history_;
  Nanos interval_;
  std::map<std::string, Topic> topics_;

  mutable std::mutex mu_;  // clients_, sent_
  std::map<const WebSocketPeer*, Client> clients_;
  uint64_t sent_ = 0;

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace kscope
