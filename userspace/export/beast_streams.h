// The two kinds of stream a connection of the HTTP server runs on (internal
// to export/): plain TCP, or TLS over it. Connections and WebSocket sessions
// are templates over these, instantiated for both in their .cpp files.
#pragma once

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

namespace kscope {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

}  // namespace kscope
