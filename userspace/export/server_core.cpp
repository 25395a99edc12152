#include "export/server_core.h"

#include <vector>

namespace kscope {
namespace {

// Constant-time comparison, so a token can't be guessed byte by byte.
bool same_token(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Blocking handlers beyond the running ones: a couple may wait their turn,
// more are refused (503) rather than queued behind minutes of profiling.
constexpr size_t kMaxBlockingQueued = 4;
// Quick handlers: about one per open connection at worst.
constexpr size_t kMaxQuickQueued = 8192;

}  // namespace

bool WebSocketRoute::open(const std::shared_ptr<WebSocketPeer>& peer, const HttpRequest& req, bool authorized) {
  std::shared_lock lock(mu_);
  if (closed_ || !handler_.on_open || !handler_.on_open(peer, req, authorized)) return false;
  std::lock_guard peers(peers_mu_);
  peers_[peer.get()] = peer;
  return true;
}

void WebSocketRoute::message(WebSocketPeer& peer, std::string_view text) {
  std::shared_lock lock(mu_);
  if (!closed_ && handler_.on_message) handler_.on_message(peer, text);
}

void WebSocketRoute::closed(WebSocketPeer& peer) {
  {
    std::lock_guard peers(peers_mu_);
    if (peers_.erase(&peer) == 0) return;  // never opened
  }
  std::shared_lock lock(mu_);
  if (!closed_ && handler_.on_close) handler_.on_close(peer);
}

void WebSocketRoute::close() {
  {
    std::unique_lock lock(mu_);
    closed_ = true;
  }
  std::vector<std::shared_ptr<WebSocketPeer>> open;
  {
    std::lock_guard peers(peers_mu_);
    for (auto& [p, weak] : peers_) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  for (auto& p : open) p->close();
}

ServerCore::ServerCore(HttpServerOptions options)
    : options_(std::move(options)),
      quick_("kscope-http", size_t(std::max(1, options_.quick_workers)), kMaxQuickQueued),
      blocking_("kscope-http-blk", size_t(std::max(1, options_.blocking_workers)), kMaxBlockingQueued) {}

void ServerCore::add_route(const std::string& path, HttpHandler handler, bool is_public, HandlerKind kind) {
  std::lock_guard lock(mu_);
  routes_[path] = Route{std::move(handler), is_public, kind};
}

ServerCore::Match ServerCore::find(const std::string& path) const {
  Match m;
  std::lock_guard lock(mu_);
  size_t best = 0;
  for (const auto& [p, r] : routes_) {
    bool match = p == path || (!p.empty() && p.back() == '/' && path.compare(0, p.size(), p) == 0);
    if (match && p.size() >= best) {
      best = p.size();
      m = Match{r.handler, r.is_public, r.kind};
    }
  }
  return m;
}

bool ServerCore::authorized(const std::string& path, const std::string& authorization) const {
  if (options_.token.empty()) return true;
  if (path == "/metrics" && !options_.protect_metrics) return true;
  const std::string prefix = "Bearer ";
  if (authorization.compare(0, prefix.size(), prefix) != 0) return false;
  return same_token(authorization.substr(prefix.size()), options_.token);
}

void ServerCore::add_websocket(const std::string& path, WebSocketHandler handler) {
  std::lock_guard lock(mu_);
  websockets_[path] = std::make_shared<WebSocketRoute>(std::move(handler));
}

std::shared_ptr<WebSocketRoute> ServerCore::find_websocket(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = websockets_.find(path);
  return it == websockets_.end() ? nullptr : it->second;
}

void ServerCore::close_websocket(const std::string& path) {
  std::shared_ptr<WebSocketRoute> route;
  {
    std::lock_guard lock(mu_);
    auto it = websockets_.find(path);
    if (it == websockets_.end()) return;
    route = it->second;
    websockets_.erase(it);
  }
  route->close();
}

void ServerCore::stop_workers() {
  quick_.stop();
  blocking_.stop();
}

ConnectionSlot ConnectionSlot::take(ServerCore& core) {
  auto& n = core.counters().connections;
  uint64_t cur = n.load();
  do {
    if (cur >= core.options().max_connections) {
      ++core.counters().connections_refused;
      return ConnectionSlot();
    }
  } while (!n.compare_exchange_weak(cur, cur + 1));
  return ConnectionSlot(&core);
}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& o) noexcept {
  if (this != &o) {
    if (core_ != nullptr) --core_->counters().connections;
    core_ = o.core_;
    o.core_ = nullptr;
  }
  return *this;
}

ConnectionSlot::~ConnectionSlot() {
  if (core_ != nullptr) --core_->counters().connections;
}

}  // namespace kscope
