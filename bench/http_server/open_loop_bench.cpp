// Open-loop HTTP load: latency at a fixed request rate, queueing included.
//
// wrk is a closed loop: a connection sends its next request when the last
// one is answered, so with 1,000 connections p50 = connections / throughput
// and the figure is the server's saturation, not its latency at a given
// load. Here each of N keep-alive connections sends GET PATH on its own
// fixed schedule (one request every N / RATE seconds, from a random phase),
// so the aggregate rate is RATE whatever the server does. A request whose
// time comes while its connection still waits for the previous answer is
// sent right after that answer, and its latency still counts from the time
// it was scheduled: a slow answer delays the ones behind it and they all
// show it (no coordinated omission).
//
//   build/bench/open_loop_bench HOST:PORT PATH [--connections 1000]
//       [--rate 1000] [--seconds 20] [--warmup 2] [--timeout 5]
//
// Prints one line: rate asked and achieved, answers, errors by kind, the
// latency percentiles from the scheduled time, and how late this generator
// itself sent (its own lag: if that is large the figures are the
// generator's, not the server's). One thread, epoll; raise `ulimit -n`.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ns() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/";
  int connections = 1000;
  double rate = 1000;
  double seconds = 20;
  double warmup = 2;
  double timeout = 5;
};

struct Errors {
  uint64_t connect = 0;    // scheduled on a connection that is gone (connect failed, or a timeout dropped it)
  uint64_t closed = 0;     // the server closed a connection with a request outstanding
  uint64_t status = 0;     // an answer other than 200
  uint64_t malformed = 0;  // no Content-Length, chunked, or a head over 64 KiB
  uint64_t timeout = 0;    // no answer within --timeout of being scheduled
  uint64_t total() const { return connect + closed + status + malformed + timeout; }
};

// One keep-alive connection: its schedule, the requests due but not yet
// answered (their scheduled times, oldest first) and the answer being read.
struct Connection {
  int fd = -1;
  bool connected = false;
  int64_t next_due = 0;          // scheduled time of its next request
  std::deque<int64_t> pending;   // scheduled times: [0] is on the wire once in_flight
  bool in_flight = false;
  int64_t sent_at = 0;
  std::string in;                // bytes of the answer read so far
  size_t body_left = 0;
  bool in_body = false;
  int status = 0;
};

struct Results {
  std::vector<int64_t> latency_ns;  // answered in the measured window, from the scheduled time
  std::vector<int64_t> lag_ns;      // send time - scheduled time, for requests sent on time
  uint64_t answered = 0, scheduled = 0;
  Errors errors;
};

bool parse_args(int argc, char** argv, Options& o) {
  if (argc < 3) return false;
  std::string_view target = argv[1];
  auto colon = target.rfind(':');
  if (colon == std::string_view::npos) return false;
  o.host = std::string(target.substr(0, colon));
  o.port = std::atoi(std::string(target.substr(colon + 1)).c_str());
  o.path = argv[2];
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    double v = std::atof(argv[i + 1]);
    if (flag == "--connections") o.connections = static_cast<int>(v);
    else if (flag == "--rate") o.rate = v;
    else if (flag == "--seconds") o.seconds = v;
    else if (flag == "--warmup") o.warmup = v;
    else if (flag == "--timeout") o.timeout = v;
    else return false;
  }
  return o.port > 0 && o.connections > 0 && o.rate > 0 && o.seconds > 0;
}

double percentile(std::vector<int64_t>& v, double q) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(i), v.end());
  return static_cast<double>(v[i]) / 1e6;
}

class Generator {
 public:
  Generator(const Options& o) : o_(o), conns_(static_cast<size_t>(o.connections)) {
    request_ = "GET " + o.path + " HTTP/1.1\r\nHost: " + o.host + "\r\nUser-Agent: kscope-open-loop\r\n\r\n";
    period_ns_ = static_cast<int64_t>(1e9 * o.connections / o.rate);
    timeout_ns_ = static_cast<int64_t>(o.timeout * 1e9);
  }

  size_t connected() const { return connected_; }

  int run(Results& r) {
    ep_ = epoll_create1(0);
    if (ep_ < 0 || !connect_all()) return 1;
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int64_t> phase(0, period_ns_ - 1);
    const int64_t start = now_ns() + 100'000'000;  // connections settle first
    measure_from_ = start + static_cast<int64_t>(o_.warmup * 1e9);
    end_ = measure_from_ + static_cast<int64_t>(o_.seconds * 1e9);
    for (auto& c : conns_) c.next_due = start + phase(rng);
    r_ = &r;
    std::vector<epoll_event> events(1024);
    while (true) {
      const int64_t now = now_ns();
      schedule_due(now);
      expire(now);
      if (now >= end_ && !any_outstanding()) break;
      if (now >= end_ + timeout_ns_) break;
      int64_t wait_ns = std::max<int64_t>(0, next_deadline() - now_ns());
      int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()),
                         static_cast<int>(std::min<int64_t>(wait_ns / 1'000'000, 100)));
      if (n < 0 && errno != EINTR) return 1;
      for (int i = 0; i < n; ++i) on_event(conns_[events[i].data.u64], events[i].events);
    }
    for (auto& c : conns_) {
      for (int64_t due : c.pending) {
        if (due >= measure_from_ && due < end_) ++r.errors.timeout;
      }
      if (c.fd >= 0) close(c.fd);
    }
    close(ep_);
    return 0;
  }

 private:
  bool connect_all() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(o_.port));
    if (inet_pton(AF_INET, o_.host.c_str(), &addr.sin_addr) != 1) {
      std::fprintf(stderr, "open_loop_bench: %s is not an IPv4 address\n", o_.host.c_str());
      return false;
    }
    for (size_t i = 0; i < conns_.size(); ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        std::perror("open_loop_bench: socket (raise ulimit -n)");
        return false;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        close(fd);
        ++r_errors_connect_;
        continue;
      }
      conns_[i].fd = fd;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
      ev.data.u64 = i;
      epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    }
    // Wait (bounded) until every connection is up, so the schedule starts
    // against an accepted set.
    const int64_t deadline = now_ns() + 10'000'000'000;
    std::vector<epoll_event> events(1024);
    size_t up = 0;
    while (up + r_errors_connect_ < conns_.size() && now_ns() < deadline) {
      int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) {
        auto& c = conns_[events[i].data.u64];
        if (c.connected || c.fd < 0) continue;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (events[i].events & (EPOLLERR | EPOLLHUP))) {
          drop(c);
          ++r_errors_connect_;
          continue;
        }
        c.connected = true;
        ++up;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = events[i].data.u64;
        epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
      }
    }
    // Not up by the deadline: gone (their requests count as connect errors).
    for (auto& c : conns_) {
      if (c.fd >= 0 && !c.connected) drop(c);
    }
    connected_ = up;
    return true;
  }

  void drop(Connection& c) {
    if (c.fd >= 0) {
      epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
    }
    c.fd = -1;
    c.connected = false;
  }

  bool any_outstanding() const {
    for (const auto& c : conns_) {
      if (c.fd >= 0 && !c.pending.empty()) return true;
    }
    return false;
  }

  int64_t next_deadline() const {
    int64_t next = end_ + timeout_ns_;
    for (const auto& c : conns_) {
      if (c.fd < 0) continue;
      if (c.next_due < end_) next = std::min(next, c.next_due);
      if (!c.pending.empty()) next = std::min(next, c.pending.front() + timeout_ns_);
    }
    return next;
  }

  bool counted(int64_t due) const { return due >= measure_from_ && due < end_; }

  void schedule_due(int64_t now) {
    for (auto& c : conns_) {
      while (c.next_due <= now && c.next_due < end_) {
        if (counted(c.next_due)) ++r_->scheduled;
        if (c.fd < 0) {
          if (counted(c.next_due)) ++r_->errors.connect;
        } else {
          c.pending.push_back(c.next_due);
        }
        c.next_due += period_ns_;
      }
      if (c.fd >= 0 && !c.in_flight && !c.pending.empty()) send_next(c, now);
    }
  }

  void send_next(Connection& c, int64_t now) {
    // The request is small: one write takes it whole on a fresh keep-alive
    // socket (the previous answer was read entirely before this).
    ssize_t n = ::send(c.fd, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(request_.size())) {
      fail_connection(c, /*closed=*/true);
      return;
    }
    c.in_flight = true;
    c.sent_at = now;
    // Lag of the generator: only for requests whose connection was idle
    // when they came due (a queued one waits for the server, not for us).
    if (counted(c.pending.front()) && now - c.pending.front() < period_ns_) {
      r_->lag_ns.push_back(now - c.pending.front());
    }
  }

  void expire(int64_t now) {
    for (auto& c : conns_) {
      if (c.fd >= 0 && !c.pending.empty() && now - c.pending.front() > timeout_ns_) {
        // The answer is too late: count every request queued here as timed
        // out and start this connection over (a new socket).
        for (int64_t due : c.pending) {
          if (counted(due)) ++r_->errors.timeout;
        }
        c.pending.clear();
        c.in_flight = false;
        drop(c);
      }
    }
  }

  void fail_connection(Connection& c, bool closed) {
    for (int64_t due : c.pending) {
      if (counted(due)) {
        if (closed) ++r_->errors.closed;
        else ++r_->errors.malformed;
      }
    }
    c.pending.clear();
    c.in_flight = false;
    drop(c);
  }

  void on_event(Connection& c, uint32_t events) {
    if (c.fd < 0) return;
    char buf[65536];
    while (true) {
      ssize_t n = recv(c.fd, buf, sizeof buf, 0);
      if (n > 0) {
        if (!consume(c, std::string_view(buf, static_cast<size_t>(n)))) return;
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        fail_connection(c, /*closed=*/true);
        return;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    }
    if (events & (EPOLLERR | EPOLLHUP)) fail_connection(c, /*closed=*/true);
  }

  // Feeds bytes of answers; false when the connection was dropped.
  bool consume(Connection& c, std::string_view data) {
    c.in.append(data);
    while (true) {
      if (!c.in_body) {
        if (c.in.empty()) return true;
        if (!c.in_flight) {
          fail_connection(c, /*closed=*/false);  // bytes nobody asked for
          return false;
        }
        const auto end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (c.in.size() <= 65536) return true;
          fail_connection(c, /*closed=*/false);
          return false;
        }
        std::string head = c.in.substr(0, end + 2);
        std::transform(head.begin(), head.end(), head.begin(), [](unsigned char ch) { return std::tolower(ch); });
        c.status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
        const auto length = head.find("\r\ncontent-length:");
        if (length == std::string::npos || head.find("transfer-encoding: chunked") != std::string::npos) {
          fail_connection(c, /*closed=*/false);
          return false;
        }
        c.body_left = std::strtoull(head.c_str() + length + 17, nullptr, 10);
        c.in.erase(0, end + 4);
        c.in_body = true;
      }
      if (c.in.size() < c.body_left) {
        c.body_left -= c.in.size();
        c.in.clear();
        return true;
      }
      c.in.erase(0, c.body_left);
      c.body_left = 0;
      c.in_body = false;
      finish(c, now_ns());
    }
  }

  void finish(Connection& c, int64_t now) {
    const int64_t due = c.pending.front();
    c.pending.pop_front();
    c.in_flight = false;
    c.in_body = false;
    if (counted(due)) {
      if (c.status != 200) {
        ++r_->errors.status;
      } else {
        ++r_->answered;
        r_->latency_ns.push_back(now - due);
      }
    }
    if (!c.pending.empty()) send_next(c, now);
  }

  const Options o_;
  std::vector<Connection> conns_;
  std::string request_;
  int64_t period_ns_ = 0, timeout_ns_ = 0, measure_from_ = 0, end_ = 0;
  int ep_ = -1;
  uint64_t r_errors_connect_ = 0;
  size_t connected_ = 0;  // connections up when the schedule started
  Results* r_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: open_loop_bench HOST:PORT PATH [--connections N] [--rate REQ_PER_S] [--seconds S] "
                 "[--warmup S] [--timeout S]\n");
    return 2;
  }
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &nofile);
  Results r;
  Generator g(o);
  if (g.run(r) != 0) return 1;
  std::printf(
      "%s %d conns (%zu up), rate %.0f/s asked, %.0f/s answered: %lu answered of %lu scheduled, errors %lu "
      "(no connection %lu, closed %lu, status %lu, malformed %lu, timeout %lu); latency from schedule ms: "
      "p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f; generator lag ms p99 %.2f\n",
      o.path.c_str(), o.connections, g.connected(), o.rate, static_cast<double>(r.answered) / o.seconds,
      static_cast<unsigned long>(r.answered), static_cast<unsigned long>(r.scheduled),
      static_cast<unsigned long>(r.errors.total()), static_cast<unsigned long>(r.errors.connect),
      static_cast<unsigned long>(r.errors.closed), static_cast<unsigned long>(r.errors.status),
      static_cast<unsigned long>(r.errors.malformed), static_cast<unsigned long>(r.errors.timeout),
      percentile(r.latency_ns, 0.5), percentile(r.latency_ns, 0.9), percentile(r.latency_ns, 0.99),
      percentile(r.latency_ns, 0.999),
      r.latency_ns.empty() ? 0.0 : static_cast<double>(*std::max_element(r.latency_ns.begin(), r.latency_ns.end())) / 1e6,
      percentile(r.lag_ns, 0.99));
  return r.errors.total() == 0 ? 0 : 3;
}
