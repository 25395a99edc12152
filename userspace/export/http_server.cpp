#include "export/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <optional>
#include <thread>
#include <vector>

#include "common/thread_name.h"
#include "export/http_connection.h"
#include "export/server_core.h"

namespace kscope {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// "host:port", "[v6]:port", ":port" or "port" (every address).
bool split_listen(const std::string& listen, std::string& host, std::string& port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    host = "0.0.0.0";
    port = listen;
  } else {
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
  }
  return !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

// Member order is destruction order reversed: the io_context goes before the
// core and the TLS context its pending handlers (connections) refer to.
struct HttpServer::Impl {
  explicit Impl(const HttpServerOptions& options) : core(options) {}

  ServerCore core;
  std::optional<net::ssl::context> tls;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  net::steady_timer backoff{ioc};
  std::vector<std::thread> threads;
  int port = 0;
  std::mutex stop_mu;
  std::vector<std::function<void()>> on_stop;  // guarded by stop_mu

  void accept() {
    // Each connection on its own strand, so with several IO threads its
    // handlers still run one at a time.
    acceptor.async_accept(net::make_strand(ioc), [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        // Out of fds (EMFILE) and the like: retry shortly rather than spin.
        spdlog::warn("http: accept failed error={}", ec.message());
        backoff.expires_after(std::chrono::milliseconds(100));
        backoff.async_wait([this](boost::system::error_code e) {
          if (!e) accept();
        });
        return;
      }
      auto slot = ConnectionSlot::take(core);
      if (slot) {
        serve_http_connection(std::move(socket), core, tls ? &*tls : nullptr, std::move(slot));
      } else {
        refuse(std::move(socket));
      }
      accept();
    });
  }

  // Over max_connections: one non-blocking attempt at a 503, then close.
  void refuse(tcp::socket socket) {
    static const std::string kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 38\r\n"
        "Connection: close\r\nRetry-After: 1\r\n\r\n{\"error\": \"too many open connections\"}";
    boost::system::error_code ignored;
    if (!tls) {
      socket.non_blocking(true, ignored);
      socket.write_some(net::buffer(kBusy), ignored);
    }
    socket.close(ignored);
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  const std::string hint = "is another kscope (or something else) using that port? change http.listen or --listen";
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty()) {
      return Error("http.tls_cert and http.tls_key go together", "set both, or neither for plain HTTP");
    }
    impl->tls.emplace(net::ssl::context::tls_server);
    boost::system::error_code ec;
    impl->tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                               net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                               net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
                           ec);
    impl->tls->use_certificate_chain_file(options.tls_cert, ec);
    if (ec) {
      return Error("cannot load http.tls_cert " + options.tls_cert + ": " + ec.message(),
                   "it must be a PEM certificate (chain) readable by root");
    }
    impl->tls->use_private_key_file(options.tls_key, net::ssl::context::pem, ec);
    if (ec) {
      return Error("cannot load http.tls_key " + options.tls_key + ": " + ec.message(),
                   "it must be the PEM private key of http.tls_cert");
    }
  }
  std::string host, port;
  if (!split_listen(options.listen, host, port)) {
    return Error("cannot serve HTTP on " + options.listen + ": not host:port", "e.g. 127.0.0.1:9494");
  }
  boost::system::error_code ec;
  tcp::resolver resolver(impl->ioc);
  auto endpoints = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Error("cannot serve HTTP on " + options.listen + ": " + (ec ? ec.message() : "no address"), hint);
  }
  const tcp::endpoint endpoint = *endpoints.begin();
  auto& acceptor = impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) impl->port = acceptor.local_endpoint(ec).port();
  if (ec) return Error("cannot serve HTTP on " + options.listen + ": " + ec.message(), hint);
  impl->accept();
  for (int i = 0; i < std::max(1, options.io_threads); ++i) {
    impl->threads.emplace_back([ioc = &impl->ioc] {
      name_this_thread("kscope-http-io");
      ioc->run();
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() {
  std::vector<std::function<void()>> stop;
  {
    std::lock_guard lock(impl_->stop_mu);
    stop.swap(impl_->on_stop);
  }
  for (const auto& f : stop) f();
  // Sockets first: nothing more is read or written (a handler finishing
  // below answers nobody). Then the handlers still running are waited for;
  // on_stop told the long ones to return.
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->core.stop_workers();
}

void HttpServer::on_stop(std::function<void()> f) {
  std::lock_guard lock(impl_->stop_mu);
  impl_->on_stop.push_back(std::move(f));
}

void HttpServer::route(const std::string& path, HttpHandler handler, HandlerKind kind) {
  impl_->core.add_route(path, std::move(handler), false, kind);
}

void HttpServer::route_public(const std::string& path, HttpHandler handler) {
  impl_->core.add_route(path, std::move(handler), true, HandlerKind::kQuick);
}

void HttpServer::websocket(const std::string& path, WebSocketHandler handler) {
  impl_->core.add_websocket(path, std::move(handler));
}

void HttpServer::close_websocket(const std::string& path) { impl_->core.close_websocket(path); }

int HttpServer::port() const { return impl_->port; }

bool HttpServer::tls() const { return impl_->tls.has_value(); }

bool HttpServer::authorized(const std::string& path, const std::string& authorization) const {
  return impl_->core.authorized(path, authorization);
}

namespace {

HttpServerStats read_stats(const ServerCounters& c) {
  HttpServerStats s;
  s.connections = c.connections;
  s.connections_refused = c.connections_refused;
  s.requests = c.requests;
  s.rejected_header_too_large = c.rejected_header_too_large;
  s.rejected_body_too_large = c.rejected_body_too_large;
  s.rejected_bad_request = c.rejected_bad_request;
  s.rejected_busy = c.rejected_busy;
  s.timed_out = c.timed_out;
  s.websocket_clients = c.websocket_clients;
  s.websocket_refused = c.websocket_refused;
  s.websocket_sent = c.websocket_sent;
  s.websocket_dropped_queue_full = c.websocket_dropped_queue_full;
  s.websocket_cut_slow = c.websocket_cut_slow;
  return s;
}

}  // namespace

HttpServerStats HttpServer::stats() const { return read_stats(impl_->core.counters()); }

std::function<HttpServerStats()> HttpServer::stats_reader() const {
  return [c = impl_->core.shared_counters()] { return read_stats(*c); };
}

}  // namespace kscope
