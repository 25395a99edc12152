// The server's side of WebSocket endpoints as the application sees them: a
// peer to send to, and the handlers an endpoint registers
// (HttpServer::websocket). Kept free of the server library so the dashboard's
// hub (web/websocket_hub.h) and its tests need none of it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "export/http_message.h"

namespace kscope {

// One connected client. Owned by the server (its IO); the application keeps
// a weak_ptr and may send from any thread.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;

  // Queues a text message and returns at once, never waiting on the client.
  // Each client has its own bounded queue: when it is full (the client reads
  // slower than it is sent to) the message is dropped and counted in
  // kscope_websocket_dropped_total{reason="queue_full"}; a client whose oldest
  // write has waited longer than the stall limit is cut off
  // (kscope_websocket_cut_total). False when the message was dropped.
  virtual bool send(std::string text) = 0;

  // Closes the connection (any thread); the endpoint's on_close follows.
  virtual void close() = 0;
};

struct WebSocketHandler {
  // A client completed the upgrade. authorized: an Authorization header with
  // the right bearer token came with it (browsers can send none; the endpoint
  // may then ask for the token in the first message). Return false to refuse
  // the client (it gets 503 instead of the upgrade). Runs on an IO thread:
  // keep it short.
  std::function<bool(const std::shared_ptr<WebSocketPeer>&, const HttpRequest&, bool authorized)> on_open;
  // One complete text message (binary ones are ignored). IO thread.
  std::function<void(WebSocketPeer&, std::string_view)> on_message;
  // The connection ended, for whatever reason. IO thread.
  std::function<void(WebSocketPeer&)> on_close;
};

}  // namespace kscope
