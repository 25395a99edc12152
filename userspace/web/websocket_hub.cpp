#include "web/websocket_hub.h"

#include <spdlog/spdlog.h>

#include <cmath>

#include "common/escape.h"
#include "common/thread_name.h"
#include "web/query_api.h"

namespace kscope {
namespace {

// Compact JSON with invalid UTF-8 replaced, without dump_json's newline.
std::string compact(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

WebSocketHub::WebSocketHub(HttpServer& server, const History& history, Nanos interval)
    : server_(server), history_(history), interval_(interval) {
  thread_ = std::thread([this] {
    name_this_thread("kscope-ws");
    loop();
  });
}

WebSocketHub::~WebSocketHub() { stop(); }

void WebSocketHub::serve(const std::string& path) {
  WebSocketHandler h;
  h.on_open = [this](const std::shared_ptr<WebSocketPeer>& peer, const HttpRequest&, bool authorized) {
    return on_open(peer, authorized);
  };
  h.on_message = [this](WebSocketPeer& peer, std::string_view text) { on_message(peer, text); };
  h.on_close = [this](WebSocketPeer& peer) { on_close(peer); };
  path_ = path;
  server_.websocket(path, std::move(h));
}

void WebSocketHub::stop() {
  {
    std::lock_guard lock(wake_mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // No handler may call into a destroyed hub once the server lives on.
  if (!path_.empty()) server_.close_websocket(path_);
  std::lock_guard lock(mu_);
  clients_.clear();
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

nlohmann::json WebSocketHub::hello() const {
  nlohmann::json topics = nlohmann::json::array();
  for (const auto& [name, fn] : topics_) topics.push_back(name);
  return {{"type", "hello"}, {"interval", std::chrono::duration<double>(interval_).count()}, {"topics", topics}};
}

bool WebSocketHub::on_open(const std::shared_ptr<WebSocketPeer>& peer, bool authorized) {
  std::lock_guard lock(mu_);
  if (clients_.size() >= kMaxClients) {
    spdlog::warn("websocket refused: clients={} is the limit", kMaxClients);
    return false;
  }
  Client c;
  c.peer = peer;
  c.authorized = authorized;
  c.opened = std::chrono::steady_clock::now();
  clients_[peer.get()] = std::move(c);
  // Queued now, written once the upgrade completes.
  if (authorized) send(*peer, hello());
  return true;
}

void WebSocketHub::on_message(WebSocketPeer& peer, std::string_view text) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(&peer);
  if (it == clients_.end()) return;
  if (text.size() > kMaxMessage) {
    send(peer, {{"type", "error"}, {"error", "message too large"}});
    peer.close();
    return;
  }
  if (!handle_message(peer, it->second, std::string(text))) peer.close();
}

void WebSocketHub::on_close(WebSocketPeer& peer) {
  std::lock_guard lock(mu_);
  clients_.erase(&peer);
}

// Caller holds mu_. Never waits: the peer queues it.
void WebSocketHub::send(WebSocketPeer& peer, const nlohmann::json& message) {
  if (peer.send(compact(message))) ++sent_;
}

bool WebSocketHub::handle_message(WebSocketPeer& peer, Client& client, const std::string& text) {
  nlohmann::json msg = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto error = [&](const std::string& id, const std::string& what) {
    send(peer, {{"type", "error"}, {"id", id}, {"error", what}});
  };
  if (!msg.is_object()) {
    error("", "expected a JSON object");
    return client.authorized;
  }
  if (!client.authorized) {
    // Browsers can't set headers on a WebSocket: the token comes first.
    if (msg.contains("auth") && msg["auth"].is_string() &&
        server_.authorized(path_, "Bearer " + msg["auth"].get<std::string>())) {
      client.authorized = true;
      send(peer, hello());
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
    nlohmann::json params = sub;
    params.erase("id");
    s.key = compact(params);  // an object's keys dump sorted
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
  const std::string t_text = compact(unix_seconds(t));
  // Each distinct subscription is evaluated once per interval, not once per
  // client (500 dashboards ask the same dozen queries), and outside mu_ so
  // the IO thread's opens and messages never wait for the queries.
  // "q:" + key or "topic:" + name -> the subscription, then the JSON text of
  // its series or data ("" if it failed).
  auto key_of = [](const Subscription& sub) { return sub.topic.empty() ? "q:" + sub.key : "topic:" + sub.topic; };
  std::map<std::string, Subscription> distinct;
  {
    std::lock_guard lock(mu_);
    for (const auto& [peer, client] : clients_) {
      if (!client.authorized) continue;
      for (const auto& sub : client.subs) {
        auto k = key_of(sub);
        if (distinct.find(k) == distinct.end()) distinct.emplace(std::move(k), sub);
      }
    }
  }
  std::map<std::string, std::string> results;
  for (const auto& [key, sub] : distinct) {
    std::string text;
    if (!sub.topic.empty()) {
      text = compact(topics_.at(sub.topic)());
    } else {
      QuerySpec q = sub.query;
      q.start = q.end = t;
      q.step = interval_;
      if (auto r = run_query(history_, q)) {
        nlohmann::json series = nlohmann::json::array();
        for (const auto& s : r->series) {
          nlohmann::json labels = nlohmann::json::object();
          for (const auto& [k, v] : s.labels) labels[k] = sanitize_utf8(v);
          const auto& v = s.values.front();
          series.push_back({{"labels", labels}, {"value", v && std::isfinite(*v) ? nlohmann::json(*v) : nullptr}});
        }
        text = compact(series);
      }
    }
    results.emplace(key, std::move(text));
  }
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  for (auto& [key, client] : clients_) {
    auto peer = client.peer.lock();
    if (!peer) continue;
    if (!client.authorized) {
      if (now - client.opened > kAuthDeadline) peer->close();
      continue;
    }
    for (const auto& sub : client.subs) {
      auto it = results.find(key_of(sub));
      if (it == results.end() || it->second.empty()) continue;  // subscribed meanwhile, or failed
      std::string msg = sub.topic.empty() ? R"({"type":"update","t":)" : R"({"type":"topic","t":)";
      msg += t_text;
      msg += R"(,"id":)";
      msg += compact(sub.id);
      msg += sub.topic.empty() ? R"(,"series":)" : R"(,"data":)";
      msg += it->second;
      msg += '}';
      // Queued, never waited on: a client that does not read loses its own.
      if (peer->send(std::move(msg))) ++sent_;
    }
  }
}

}  // namespace kscope
