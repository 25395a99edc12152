#include "export/websocket_session.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <mutex>

namespace kscope {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

constexpr int kSocketSendBuffer = 128 << 10;

template <class Stream>
class WebSocketSession final : public WebSocketPeer, public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(Stream&& stream, ServerCore& core, std::shared_ptr<WebSocketRoute> route, ConnectionSlot slot)
      : ws_(std::move(stream)), core_(core), route_(std::move(route)), slot_(std::move(slot)) {}

  void start(http::request<http::string_body> upgrade, const HttpRequest& request, bool authorized) {
    auto self = this->shared_from_this();
    if (!route_->open(self, request, authorized)) {
      ++core_.counters().websocket_refused;
      refuse();
      return;
    }
    // A fixed kernel send buffer instead of autotuning (up to 4 MiB): what a
    // client that stops reading can pin in the kernel stays small, and its
    // writes stall soon, so its own queue (not memory) takes the backlog.
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(net::socket_base::send_buffer_size(kSocketSendBuffer), ignored);
    // Browsers answer pings on their own: a client gone without a FIN is
    // found within a minute. (The send side has its own bound, kStallLimit.)
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = std::chrono::seconds(60);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(kMaxClientMessage);
    ws_.async_accept(upgrade, [self](beast::error_code ec) { self->on_accept(ec); });
  }

  bool send(std::string text) override {
    std::lock_guard lock(mu_);
    if (finished_ || cut_) return false;
    if (queue_.size() >= kMaxQueuedMessages || queued_bytes_ + text.size() > kMaxQueuedBytes) {
      ++core_.counters().websocket_dropped_queue_full;
      if (writing_ && Clock::now() - write_since_ > kStallLimit) {
        cut_ = true;
        ++core_.counters().websocket_cut_slow;
        close();
      }
      return false;
    }
    queued_bytes_ += text.size();
    queue_.push_back(std::move(text));
    start_writing_locked();
    return true;
  }

  void close() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] { beast::get_lowest_layer(self->ws_).close(); });
  }

 private:
  void refuse() {
    refusal_ = serialize_response(HttpResponse::json_error(503, "too many WebSocket clients; try again later"),
                                  false, false);
    auto& lowest = beast::get_lowest_layer(ws_);
    lowest.expires_after(std::chrono::seconds(5));
    net::async_write(ws_.next_layer(), net::buffer(refusal_),
                     [self = this->shared_from_this()](beast::error_code, size_t) {
                       beast::get_lowest_layer(self->ws_).close();
                     });
  }

  void on_accept(beast::error_code ec) {
    if (ec) return finish();
    ++core_.counters().websocket_clients;
    {
      std::lock_guard lock(mu_);
      accepted_ = true;
      start_writing_locked();
    }
    read_next();
  }

  void read_next() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish();
    if (ws_.got_text()) {
      const auto data = buffer_.cdata();
      route_->message(*this, std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    read_next();
  }

  // Caller holds mu_.
  void start_writing_locked() {
    if (!accepted_ || writing_ || queue_.empty() || finished_) return;
    writing_ = true;
    write_since_ = Clock::now();
    net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->write_front(); });
  }

  // On the session's strand; the front stays in the queue (deque references
  // survive push_back) until its write completes.
  void write_front() {
    const std::string* front = nullptr;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty() || finished_) {
        writing_ = false;
        return;
      }
      front = &queue_.front();
    }
    ws_.text(true);
    ws_.async_write(net::buffer(*front),
                    [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    bool more = false;
    {
      std::lock_guard lock(mu_);
      if (ec) {
        writing_ = false;
      } else if (!queue_.empty()) {
        queued_bytes_ -= queue_.front().size();
        queue_.pop_front();
        more = !queue_.empty() && !finished_;
        writing_ = more;
        write_since_ = Clock::now();
      }
    }
    if (ec) {
      // The read loop ends with the socket and reports the close.
      beast::get_lowest_layer(ws_).close();
      return;
    }
    ++core_.counters().websocket_sent;
    if (more) write_front();
  }

  void finish() {
    bool was_accepted = false;
    {
      std::lock_guard lock(mu_);
      if (finished_) return;
      finished_ = true;
      was_accepted = accepted_;
      queue_.clear();
      queued_bytes_ = 0;
    }
    if (was_accepted) --core_.counters().websocket_clients;
    beast::get_lowest_layer(ws_).close();
    route_->closed(*this);
  }

  websocket::stream<Stream> ws_;
  ServerCore& core_;
  std::shared_ptr<WebSocketRoute> route_;
  ConnectionSlot slot_;
  beast::flat_buffer buffer_;
  std::string refusal_;

  std::mutex mu_;
  std::deque<std::string> queue_;  // guarded by mu_; the front is being written while writing_
  size_t queued_bytes_ = 0;        // guarded by mu_
  bool accepted_ = false;          // guarded by mu_
  bool writing_ = false;           // guarded by mu_
  bool finished_ = false;          // guarded by mu_
  bool cut_ = false;               // guarded by mu_
  Clock::time_point write_since_;  // guarded by mu_
};

}  // namespace

template <class Stream>
void start_websocket_session(Stream stream, http::request<http::string_body> upgrade, const HttpRequest& request,
                             bool authorized, ServerCore& core, std::shared_ptr<WebSocketRoute> route,
                             ConnectionSlot slot) {
  auto session =
      std::make_shared<WebSocketSession<Stream>>(std::move(stream), core, std::move(route), std::move(slot));
  session->start(std::move(upgrade), request, authorized);
}

template void start_websocket_session<PlainStream>(PlainStream, http::request<http::string_body>, const HttpRequest&,
                                                   bool, ServerCore&, std::shared_ptr<WebSocketRoute>,
                                                   ConnectionSlot);
template void start_websocket_session<TlsStream>(TlsStream, http::request<http::string_body>, const HttpRequest&, bool,
                                                 ServerCore&, std::shared_ptr<WebSocketRoute>, ConnectionSlot);

}  // namespace kscope
