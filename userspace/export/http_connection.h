// One accepted connection of the HTTP server (internal to export/): TLS
// handshake when configured, then requests in turn on the same connection
// (keep-alive), each read within the request deadline and size limits,
// handed to a worker pool, and answered in one write; or, on an upgrade to a
// WebSocket endpoint, handed to a session (export/websocket_session.h).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "export/server_core.h"

namespace kscope {

// tls: null for plain HTTP.
void serve_http_connection(boost::asio::ip::tcp::socket socket, ServerCore& core, boost::asio::ssl::context* tls,
                           ConnectionSlot slot);

}  // namespace kscope
