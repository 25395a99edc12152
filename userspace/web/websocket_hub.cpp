#include "web/websocket_hub.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <cmath>

#include "common/escape.h"
#include "common/thread_name.h"
#include "web/query_api.h"

namespace kscope {
namespace {

constexpr int kOpText = 0x1;
constexpr int kOpClose = 0x8;

std::string header(const mg_connection* conn, const char* name) {
  const char* v = mg_get_header(conn, name);
  return v ? v : "";
}

}  // namespace

WebSocketHub::WebSocketHub(HttpServer& server, const History& history, Nanos interval)
    : server_(server), history_(history), interval_(interval) {
  // Bit 16: civetweb built with WebSocket support.
  if (mg_check_feature(16) == 0) spdlog::warn("civetweb has no WebSocket support; the dashboard will poll");
  mg_set_websocket_handler(server_.context(), "/ws", &WebSocketHub::on_connect, &WebSocketHub::on_ready,
                           &WebSocketHub::on_data, &WebSocketHub::on_close, this);
  thread_ = std::thread([this] {
    name_this_thread("kscope-ws");
    loop();
  });
}

WebSocketHub::~WebSocketHub() { stop(); }

void WebSocketHub::stop() {
  {
    std::lock_guard lock(wake_mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // No handler may call into a destroyed hub once the server lives on.
  if (server_.context() != nullptr) {
    mg_set_websocket_handler(server_.context(), "/ws", nullptr, nullptr, nullptr, nullptr, nullptr);
  }
}

void WebSocketHub::add_topic(const std::string& name, Topic topic) { topics_[name] = std::move(topic); }

size_t WebSocketHub::clients() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

uint64_t WebSocketHub::messages_sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

void WebSocketHub::notify() {
  {
    std::lock_guard lock(wake_mu_);
    pending_ = true;
  }
  wake_.notify_one();
}

int WebSocketHub::on_connect(const mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<WebSocketHub*>(self_ptr);
  std::lock_guard lock(self->mu_);
  if (self->clients_.size() >= kMaxClients) {
    spdlog::warn("websocket refused: clients={} is the limit", kMaxClients);
    return 1;
  }
  Client c;
  c.authorized = self->server_.authorized("/ws", header(conn, "Authorization"));
  self->clients_[conn] = c;
  return 0;
}

void WebSocketHub::on_ready(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<WebSocketHub*>(self_ptr);
  std::lock_guard lock(self->mu_);
  auto it = self->clients_.find(conn);
  if (it == self->clients_.end()) return;
  it->second.conn = conn;
  if (it->second.authorized) {
    nlohmann::json topics = nlohmann::json::array();
    for (const auto& [name, fn] : self->topics_) topics.push_back(name);
    self->send(conn, {{"type", "hello"},
                      {"interval", std::chrono::duration<double>(self->interval_).count()},
                      {"topics", topics}});
  }
}

int WebSocketHub::on_data(mg_connection* conn, int bits, char* data, size_t len, void* self_ptr) {
  auto* self = static_cast<WebSocketHub*>(self_ptr);
  int op = bits & 0x0f;
  if (op == kOpClose) return 0;
  if (op != kOpText) return 1;  // pings are answered by civetweb; binary is ignored
  if (len > kMaxMessage) {
    std::lock_guard lock(self->mu_);
    self->send(conn, {{"type", "error"}, {"error", "message too large"}});
    return 0;
  }
  return self->handle_message(conn, std::string(data, len)) ? 1 : 0;
}

void WebSocketHub::on_close(const mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<WebSocketHub*>(self_ptr);
  std::lock_guard lock(self->mu_);
  self->clients_.erase(conn);
}

// Caller holds mu_.
void WebSocketHub::send(mg_connection* conn, const nlohmann::json& message) {
  std::string text = dump_json(message);
  text.pop_back();  // the newline
  mg_lock_connection(conn);
  int rc = mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_TEXT, text.data(), text.size());
  mg_unlock_connection(conn);
  if (rc > 0) ++sent_;
}

bool WebSocketHub::handle_message(mg_connection* conn, const std::string& text) {
  nlohmann::json msg = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::lock_guard lock(mu_);
  auto it = clients_.find(conn);
  if (it == clients_.end()) return false;
  Client& client = it->second;
  auto error = [&](const std::string& id, const std::string& what) {
    send(conn, {{"type", "error"}, {"id", id}, {"error", what}});
  };
  if (!msg.is_object()) {
    error("", "expected a JSON object");
    return client.authorized;
  }
  if (!client.authorized) {
    // Browsers can't set headers on a WebSocket: the token comes first.
    if (msg.contains("auth") && msg["auth"].is_string() &&
        server_.authorized("/ws", "Bearer " + msg["auth"].get<std::string>())) {
      client.authorized = true;
      nlohmann::json topics = nlohmann::json::array();
      for (const auto& [name, fn] : topics_) topics.push_back(name);
      send(conn, {{"type", "hello"},
                  {"interval", std::chrono::duration<double>(interval_).count()},
                  {"topics", topics}});
      return true;
    }
    error("", "missing or wrong bearer token");
    return false;
  }
  if (msg.contains("unsubscribe") && msg["unsubscribe"].is_string()) {
    const auto id = msg["unsubscribe"].get<std::string>();
    std::erase_if(client.subs, [&](const Subscription& s) { return s.id == id; });
    return true;
  }
  if (!msg.contains("subscribe") || !msg["subscribe"].is_object()) {
    error("", "expected {\"subscribe\": {...}} or {\"unsubscribe\": id}");
    return true;
  }
  const auto& sub = msg["subscribe"];
  if (!sub.contains("id") || !sub["id"].is_string() || sub["id"].get<std::string>().size() > 64) {
    error("", "a subscription needs a string id (at most 64 characters)");
    return true;
  }
  Subscription s;
  s.id = sub["id"].get<std::string>();
  std::erase_if(client.subs, [&](const Subscription& o) { return o.id == s.id; });
  if (client.subs.size() >= kMaxSubscriptions) {
    error(s.id, "too many subscriptions");
    return true;
  }
  if (sub.contains("topic")) {
    if (!sub["topic"].is_string() || topics_.find(sub["topic"].get<std::string>()) == topics_.end()) {
      error(s.id, "no such topic");
      return true;
    }
    s.topic = sub["topic"].get<std::string>();
  } else {
    auto spec = query_spec_from_params(
        [&sub](const std::string& name) -> std::optional<std::string> {
          if (!sub.contains(name)) return std::nullopt;
          const auto& v = sub[name];
          if (v.is_string()) return v.get<std::string>();
          if (v.is_number()) return v.dump();
          return std::string("\x01");  // rejected by every parser
        },
        std::chrono::system_clock::now(), interval_);
    if (!spec) {
      error(s.id, spec.error().to_string());
      return true;
    }
    s.query = std::move(*spec);
  }
  client.subs.push_back(std::move(s));
  return true;
}

void WebSocketHub::loop() {
  while (true) {
    {
      std::unique_lock lock(wake_mu_);
      wake_.wait(lock, [this] { return pending_ || stopping_; });
      if (stopping_) return;
      pending_ = false;
    }
    push_updates();
  }
}

void WebSocketHub::push_updates() {
  auto stats = history_.stats();
  if (stats.frames == 0) return;
  const auto t = stats.newest;
  const double t_unix = unix_seconds(t);
  std::map<std::string, nlohmann::json> topic_cache;
  std::lock_guard lock(mu_);
  for (auto& [key, client] : clients_) {
    if (!client.authorized || client.conn == nullptr) continue;
    for (const auto& sub : client.subs) {
      if (!sub.topic.empty()) {
        auto cached = topic_cache.find(sub.topic);
        if (cached == topic_cache.end()) {
          cached = topic_cache.emplace(sub.topic, topics_[sub.topic]()).first;
        }
        send(client.conn, {{"type", "topic"}, {"t", t_unix}, {"id", sub.id}, {"data", cached->second}});
        continue;
      }
      QuerySpec q = sub.query;
      q.start = q.end = t;
      q.step = interval_;
      auto r = run_query(history_, q);
      if (!r) continue;
      nlohmann::json series = nlohmann::json::array();
      for (const auto& s : r->series) {
        nlohmann::json labels = nlohmann::json::object();
        for (const auto& [k, v] : s.labels) labels[k] = sanitize_utf8(v);
        const auto& v = s.values.front();
        series.push_back({{"labels", labels}, {"value", v && std::isfinite(*v) ? nlohmann::json(*v) : nullptr}});
      }
      send(client.conn, {{"type", "update"}, {"t", t_unix}, {"id", sub.id}, {"series", series}});
    }
  }
}

}  // namespace kscope
