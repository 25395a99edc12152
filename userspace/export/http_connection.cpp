#include "export/http_connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <cctype>
#include <optional>
#include <type_traits>

#include "export/beast_streams.h"
#include "export/websocket_session.h"

namespace kscope {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

// A response to a slow reader gets this long to leave (a large /metrics or
// query body to a client on a bad link).
constexpr std::chrono::seconds kWriteTimeout{30};

HttpResponse run_handler(const HttpHandler& handler, const HttpRequest& req) {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    spdlog::error("http handler failed path={} error={}", req.path, e.what());
    return HttpResponse::json_error(500, "internal error");
  }
}

template <class Stream>
class HttpConnection final : public std::enable_shared_from_this<HttpConnection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  HttpConnection(Stream&& stream, ServerCore& core, ConnectionSlot slot)
      : stream_(std::move(stream)), core_(core), slot_(std::move(slot)) {}

  void start() {
    if constexpr (kTls) {
      lowest().expires_after(timeout());
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  if (ec == beast::error::timeout) ++self->core_.counters().timed_out;
                                  return;
                                }
                                self->read_request();
                              });
    } else {
      read_request();
    }
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(core_.options().request_timeout_ms); }

  // One deadline covers the wait for the request and its whole arrival: a
  // client dribbling bytes (slowloris) is cut off, and so is an idle
  // keep-alive connection.
  void read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(core_.options().max_header_bytes));
    parser_->body_limit(core_.options().max_body_bytes);
    lowest().expires_after(timeout());
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    auto& c = core_.counters();
    if (ec == beast::error::timeout) {
      ++c.timed_out;
      return;  // dropped: the socket closes with this object
    }
    if (ec == http::error::header_limit) {
      ++c.rejected_header_too_large;
      return reply_and_close(HttpResponse::json_error(431, "request headers too large"));
    }
    if (ec == http::error::body_limit) {
      ++c.rejected_body_too_large;
      return reply_and_close(HttpResponse::json_error(413, "request body too large"));
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return;
    if (ec && ec.category() == http::make_error_code(http::error::bad_method).category()) {
      ++c.rejected_bad_request;
      return reply_and_close(HttpResponse::json_error(400, "malformed request"));
    }
    if (ec) return;  // reset, TLS failure: nothing to answer
    on_request();
  }

  void on_request() {
    auto& msg = parser_->get();
    ++core_.counters().requests;
    HttpRequest req;
    req.method = std::string(msg.method_string());
    keep_alive_ = msg.keep_alive();
    head_only_ = msg.method() == http::verb::head;
    if (!split_target(msg.target(), req)) {
      ++core_.counters().rejected_bad_request;
      return reply_and_close(HttpResponse::json_error(400, "the request target must be a path"));
    }
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      req.headers[name] = std::string(field.value());
    }
    if (beast::websocket::is_upgrade(msg)) {
      if (auto route = core_.find_websocket(req.path)) return upgrade(std::move(route), std::move(req));
    }
    auto match = core_.find(req.path);
    if (!match.is_public && !core_.authorized(req.path, req.header("authorization"))) {
      auto r = HttpResponse::json_error(401, "missing or wrong bearer token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return write(serialize_response(r, head_only_, keep_alive_));
    }
    if (!match.handler) return write(serialize_response(
        HttpResponse::json_error(404, "no such endpoint: " + req.path), head_only_, keep_alive_));
    req.body = std::move(msg.body());
    // The handler may take long (a profile): no deadline while it runs.
    lowest().expires_never();
    auto self = this->shared_from_this();
    const bool queued = core_.pool(match.kind).submit([self, req = std::move(req), handler = match.handler] {
      std::string bytes = serialize_response(run_handler(handler, req), self->head_only_, self->keep_alive_);
      net::post(self->stream_.get_executor(),
                [self, bytes = std::move(bytes)]() mutable { self->write(std::move(bytes)); });
    });
    if (!queued) {
      ++core_.counters().rejected_busy;
      auto r = HttpResponse::json_error(503, "server busy; try again");
      r.headers.emplace_back("Retry-After", "1");
      write(serialize_response(r, head_only_, keep_alive_));
    }
  }

  void upgrade(std::shared_ptr<WebSocketRoute> route, HttpRequest req) {
    const std::string auth = req.header("authorization");
    const bool authorized = core_.authorized(req.path, auth);
    if (!auth.empty() && !authorized) {
      auto r = HttpResponse::json_error(401, "missing or wrong bearer token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return reply_and_close(r);
    }
    lowest().expires_never();  // the session keeps its own timeouts
    start_websocket_session(std::move(stream_), parser_->release(), req, authorized, core_, std::move(route),
                            std::move(slot_));
  }

  void reply_and_close(const HttpResponse& r) {
    keep_alive_ = false;
    write(serialize_response(r, head_only_, false));
  }

  // The whole response in one buffer, one write.
  void write(std::string bytes) {
    out_ = std::move(bytes);
    lowest().expires_after(kWriteTimeout);
    net::async_write(stream_, net::buffer(out_),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    // An idle keep-alive connection holds no old body (a /metrics or
    // signals body is 100s of KB; a thousand connections would keep them).
    std::string().swap(out_);
    if (ec) return;
    if (keep_alive_) return read_request();
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  ServerCore& core_;
  ConnectionSlot slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;
  bool keep_alive_ = true;
  bool head_only_ = false;
};

}  // namespace

void serve_http_connection(net::ip::tcp::socket socket, ServerCore& core, net::ssl::context* tls,
                           ConnectionSlot slot) {
  beast::error_code ignored;
  socket.set_option(net::ip::tcp::no_delay(true), ignored);
  if (tls != nullptr) {
    std::make_shared<HttpConnection<TlsStream>>(TlsStream(beast::tcp_stream(std::move(socket)), *tls), core,
                                                std::move(slot))
        ->start();
  } else {
    std::make_shared<HttpConnection<PlainStream>>(PlainStream(std::move(socket)), core, std::move(slot))->start();
  }
}

}  // namespace kscope
