// One WebSocket client of the HTTP server (internal to export/): the upgrade,
// a read loop handing text messages to the endpoint, and a bounded send
// queue written in order.
//
// Backpressure, per client: send() queues and returns; at most
// kMaxQueuedMessages / kMaxQueuedBytes wait. Past that a message is dropped
// (counted), and when the write in progress has waited longer than
// kStallLimit the client is cut off (counted): a client that stops reading
// loses its own updates and then its connection, and no other client waits
// for it, as each has its own queue and the IO thread never blocks on a
// socket.
#pragma once

#include <chrono>
#include <memory>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "export/beast_streams.h"
#include "export/server_core.h"

namespace kscope {

inline constexpr size_t kMaxQueuedMessages = 256;
inline constexpr size_t kMaxQueuedBytes = size_t{4} << 20;
inline constexpr std::chrono::seconds kStallLimit{5};
inline constexpr size_t kMaxClientMessage = 8192;

// Takes over the stream of a connection whose request is an upgrade to
// route's endpoint; answers 503 instead when the endpoint refuses it.
template <class Stream>
void start_websocket_session(Stream stream, boost::beast::http::request<boost::beast::http::string_body> upgrade,
                             const HttpRequest& request, bool authorized, ServerCore& core,
                             std::shared_ptr<WebSocketRoute> route, ConnectionSlot slot);

}  // namespace kscope
