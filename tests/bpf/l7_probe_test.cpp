// The l7 probe against a real nginx and real clients (curl, and raw sockets
// of this process): every connection's open, reads, writes and close as the
// probe delivers them, checked exactly against what the clients sent.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "bpf_test_support.h"
#include "l7_recorder.h"
#include "nginx_server.h"
#include "probes/l7_probe.h"

namespace kscope {
namespace {

using requests::ConnectionEvent;

// This test process's name, as the kernel keeps it (at most 15 bytes).
std::string test_comm() {
  std::ifstream f("/proc/self/comm");
  std::string c;
  std::getline(f, c);
  return c;
}
using requests::Direction;
using requests::Role;
using test::NginxServer;

using test::count_of;
using test::Seen;

std::array<uint8_t, 16> loopback_mapped() {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
}

class L7ProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KSCOPE_REQUIRE_BPF();
    // nginx is up (and probed for readiness) before the probe attaches, so
    // the readiness connections are not among what the test counts.
    nginx_ = std::make_unique<NginxServer>("location / { return 200 \"hello\\n\"; }");
    ASSERT_TRUE(nginx_->ok()) << nginx_->error();
    // A connection from before the probe attached, for the pick-up test.
    early_fd_ = connect_nginx(&early_port_);
    config_ = test::L7Recorder::capture_config();
    probe_ = make_l7_capture();
    auto st = recorder_.start(*probe_, config_);
    ASSERT_TRUE(st) << st.error().to_string();
  }

  void TearDown() override {
    recorder_.stop();
    if (early_fd_ >= 0) close(early_fd_);
  }

  template <class Pred>
  bool wait_for(Pred pred) {
    return recorder_.wait_for(pred);
  }
  std::vector<Seen> of(const requests::ConnectionId& id) { return recorder_.of(id); }
  std::vector<ConnectionEvent> opens(uint32_t tgid, Role role, uint16_t peer_port = 0, size_t want = 1) {
    return recorder_.opens(tgid, role, peer_port, want);
  }
  // nginx's side of the client connection whose local port is `port`.
  std::optional<ConnectionEvent> server_side(uint16_t client_port) {
    return recorder_.server_side(client_port, nginx_->port());
  }
  bool closed(const requests::ConnectionId& id) { return recorder_.closed(id); }
  static std::vector<Seen> data(const std::vector<Seen>& recs, Direction d) { return test::L7Recorder::data(recs, d); }

  // Open first, close last, data between, timestamps never going back.
  static void expect_well_formed(const std::vector<Seen>& recs) {
    ASSERT_GE(recs.size(), 2u);
    EXPECT_FALSE(recs.front().is_data);
    EXPECT_EQ(recs.front().conn.kind, ConnectionEvent::Kind::kOpen);
    EXPECT_FALSE(recs.back().is_data);
    EXPECT_EQ(recs.back().conn.kind, ConnectionEvent::Kind::kClose);
    for (size_t i = 1; i + 1 < recs.size(); ++i) EXPECT_TRUE(recs[i].is_data) << "record " << i;
    for (size_t i = 1; i < recs.size(); ++i) EXPECT_GE(recs[i].ts, recs[i - 1].ts) << "record " << i;
  }

  int connect_nginx(uint16_t* local_port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(nginx_->port());
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    *local_port = ntohs(a.sin_port);
    return fd;
  }

  // Reads until `responses` status lines arrived (or 5 s).
  static std::string read_responses(int fd, size_t responses) {
    std::string got;
    char buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    timeval tv{0, 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (count_of(got, "HTTP/1.1 200 OK") < responses || count_of(got, "hello\n") < responses) {
      if (std::chrono::steady_clock::now() > deadline) break;
      ssize_t n = read(fd, buf, sizeof(buf));
      if (n > 0) got.append(buf, size_t(n));
      if (n == 0) break;
    }
    return got;
  }

  Config config_;
  int early_fd_ = -1;
  uint16_t early_port_ = 0;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<L7Probe> probe_;
  test::L7Recorder recorder_;
};

// curl fetches five paths over one keep-alive connection: curl writes five
// requests and reads five responses; nginx reads the five requests and
// writes the five responses, on the connection whose peer port is curl's
// local port.
TEST_F(L7ProbeTest, CurlKeepAliveAgainstNginx) {
  const std::string base = "http://127.0.0.1:" + std::to_string(nginx_->port());
  std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                                   "-o", "/dev/null", "-o", "/dev/null"};
  for (int i = 1; i <= 5; ++i) argv.push_back(base + "/r" + std::to_string(i));
  pid_t curl = -1;
  ASSERT_EQ(test::run_with_deadline(argv, 10000, &curl), 0);

  // curl's side.
  std::vector<ConnectionEvent> client;
  ASSERT_TRUE(wait_for([&](const std::vector<Seen>& all) {
    size_t n = 0;
    for (const auto& s : all) {
      n += !s.is_data && s.conn.conn.tgid == uint32_t(curl) && s.conn.kind == ConnectionEvent::Kind::kClose;
    }
    return n >= 1;
  })) << "curl's close never arrived";
  client = opens(uint32_t(curl), Role::kClient);
  ASSERT_EQ(client.size(), 1u) << "curl opened one connection";
  EXPECT_EQ(client[0].peer.port, nginx_->port());
  EXPECT_EQ(client[0].peer.address, loopback_mapped());
  EXPECT_TRUE(client[0].local.known);
  EXPECT_EQ(client[0].comm, "curl");  // named at the open: curl is gone when it is read
  auto crecs = of(client[0].conn);
  expect_well_formed(crecs);
  auto cw = data(crecs, Direction::kWrite);
  auto cr = data(crecs, Direction::kRead);
  ASSERT_EQ(cw.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(cw[i].prefix.rfind("GET /r" + std::to_string(i + 1) + " HTTP/1.1\r\n", 0), 0u) << cw[i].prefix;
    EXPECT_EQ(cw[i].total, cw[i].prefix.size());
    EXPECT_EQ(cw[i].role, Role::kClient);
  }
  std::string reads;
  for (const auto& r : cr) reads += r.prefix;
  EXPECT_EQ(count_of(reads, "HTTP/1.1 200 OK\r\n"), 5u);

  // nginx's side: the same five exchanges, mirrored.
  auto server = server_side(client[0].local.port);
  ASSERT_TRUE(server) << "nginx's accept of curl's connection was not seen";
  EXPECT_EQ(server->peer.address, loopback_mapped());
  ASSERT_TRUE(closed(server->conn));
  auto srecs = of(server->conn);
  expect_well_formed(srecs);
  auto sr = data(srecs, Direction::kRead);
  auto sw = data(srecs, Direction::kWrite);
  ASSERT_EQ(sr.size(), 5u);
  ASSERT_EQ(sw.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(sr[i].prefix, cw[i].prefix) << "nginx read what curl wrote";
    EXPECT_EQ(sw[i].prefix.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << sw[i].prefix;
    EXPECT_EQ(sw[i].role, Role::kServer);
  }
  // Request, response, request, ...: one exchange at a time.
  std::string order;
  for (const auto& s : srecs) order += s.is_data ? (s.direction == Direction::kRead ? "R" : "W") : "";
  EXPECT_EQ(order, "RWRWRWRWRW");
}

// Three requests in one write: one write of all of them on the client,
// nginx reads them (at once or in parts) and answers three times.
TEST_F(L7ProbeTest, PipelinedRequestsInOneWrite) {
  uint16_t local = 0;
  int fd = connect_nginx(&local);
  std::string reqs;
  for (int i = 1; i <= 3; ++i) reqs += "GET /p" + std::to_string(i) + " HTTP/1.1\r\nHost: kscope\r\n\r\n";
  ASSERT_EQ(write(fd, reqs.data(), reqs.size()), ssize_t(reqs.size()));
  std::string got = read_responses(fd, 3);
  ASSERT_EQ(count_of(got, "HTTP/1.1 200 OK"), 3u) << got;
  close(fd);

  auto client = opens(uint32_t(getpid()), Role::kClient, nginx_->port());
  ASSERT_EQ(client.size(), 1u);
  EXPECT_EQ(client[0].local.port, local);
  ASSERT_TRUE(closed(client[0].conn));
  auto crecs = of(client[0].conn);
  expect_well_formed(crecs);
  auto cw = data(crecs, Direction::kWrite);
  ASSERT_EQ(cw.size(), 1u);
  EXPECT_EQ(cw[0].prefix, reqs);
  EXPECT_EQ(cw[0].total, reqs.size());
  std::string creads;
  for (const auto& r : data(crecs, Direction::kRead)) creads += r.prefix;
  EXPECT_EQ(creads, got) << "every byte the client read, captured in order";

  auto server = server_side(local);
  ASSERT_TRUE(server);
  ASSERT_TRUE(closed(server->conn));
  auto srecs = of(server->conn);
  expect_well_formed(srecs);
  std::string sreads, swrites;
  for (const auto& r : data(srecs, Direction::kRead)) sreads += r.prefix;
  for (const auto& w : data(srecs, Direction::kWrite)) swrites += w.prefix;
  EXPECT_EQ(sreads, reqs);
  EXPECT_EQ(swrites, got);
}

// A closed socket's fd number reused by a new connection names a new
// connection (a new generation); reused by a file, nothing is captured.
TEST_F(L7ProbeTest, ReusedFdGetsNewGeneration) {
  uint16_t port_a = 0, port_b = 0;
  int a = connect_nginx(&port_a);
  const std::string req = "GET /a HTTP/1.1\r\nHost: kscope\r\n\r\n";
  ASSERT_EQ(write(a, req.data(), req.size()), ssize_t(req.size()));
  read_responses(a, 1);
  close(a);
  int b = connect_nginx(&port_b);
  ASSERT_EQ(b, a) << "the kernel hands out the lowest free fd";
  ASSERT_EQ(write(b, req.data(), req.size()), ssize_t(req.size()));
  read_responses(b, 1);
  close(b);
  int file = open("/dev/null", O_WRONLY);
  ASSERT_EQ(file, a);
  ASSERT_EQ(write(file, req.data(), req.size()), ssize_t(req.size()));
  close(file);

  auto ca = opens(uint32_t(getpid()), Role::kClient, nginx_->port(), 2);
  ASSERT_EQ(ca.size(), 2u);
  ASSERT_EQ(ca[0].conn.fd, ca[1].conn.fd);
  EXPECT_LT(ca[0].conn.generation, ca[1].conn.generation);
  EXPECT_EQ(ca[0].local.port, port_a);
  EXPECT_EQ(ca[1].local.port, port_b);
  ASSERT_TRUE(closed(ca[0].conn));
  ASSERT_TRUE(closed(ca[1].conn));
  for (const auto& c : ca) {
    auto recs = of(c.conn);
    expect_well_formed(recs);
    auto w = data(recs, Direction::kWrite);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].prefix, req);
  }
  // Nothing on that fd number but the two connections' data: the
  // /dev/null write after the second close was not a socket's.
  size_t others = 0;
  for (const auto& s : recorder_.all()) {
    others += s.is_data && s.id.tgid == uint32_t(getpid()) && s.id.fd == uint32_t(a) && !(s.id == ca[0].conn) &&
              !(s.id == ca[1].conn);
  }
  EXPECT_EQ(others, 0u);
}

// accept(fd, NULL, NULL): the peer comes from the socket itself.
TEST_F(L7ProbeTest, AcceptWithoutAddressStillKnowsThePeer) {
  int lfd = socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  ASSERT_EQ(bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(lfd, 4), 0);
  socklen_t len = sizeof(a);
  getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  const uint16_t port = ntohs(a.sin6_port);
  int c = socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  sockaddr_in6 cl{};
  len = sizeof(cl);
  getsockname(c, reinterpret_cast<sockaddr*>(&cl), &len);
  int s = accept(lfd, nullptr, nullptr);
  ASSERT_GE(s, 0);
  const char msg[] = "PING";
  ASSERT_EQ(send(c, msg, 4, 0), 4);
  char buf[8];
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 4);
  close(c);
  close(s);
  close(lfd);

  auto server = opens(uint32_t(getpid()), Role::kServer, ntohs(cl.sin6_port));
  ASSERT_EQ(server.size(), 1u);
  EXPECT_EQ(server[0].local.port, port);
  std::array<uint8_t, 16> lo{};
  lo[15] = 1;
  EXPECT_EQ(server[0].peer.address, lo);
  ASSERT_TRUE(closed(server[0].conn));
  auto recs = of(server[0].conn);
  expect_well_formed(recs);
  auto r = data(recs, Direction::kRead);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].prefix, "PING");
}

// Accept, fork, close in the parent, serve in the child (PostgreSQL's
// postmaster and its backends): the child's reads and writes are its own
// connection's, role server, and the parent's copy ends with no data.
TEST_F(L7ProbeTest, ForkedChildServesTheAcceptedConnection) {
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(lfd, 4), 0);
  socklen_t len = sizeof(a);
  getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  sockaddr_in cl{};
  len = sizeof(cl);
  getsockname(c, reinterpret_cast<sockaddr*>(&cl), &len);
  int s = accept(lfd, nullptr, nullptr);
  ASSERT_GE(s, 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char buf[8];
    const bool ok = read(s, buf, sizeof(buf)) == 4 && write(s, "PONG", 4) == 4;
    _exit(ok ? 0 : 1);
  }
  close(s);
  ASSERT_EQ(write(c, "PING", 4), 4);
  char buf[8];
  EXPECT_EQ(read(c, buf, sizeof(buf)), 4);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(c);
  close(lfd);

  auto served = opens(uint32_t(child), Role::kServer, ntohs(cl.sin_port));
  ASSERT_EQ(served.size(), 1u);
  EXPECT_EQ(served[0].local.port, ntohs(a.sin_port));
  EXPECT_EQ(served[0].comm, test_comm());  // the fork's, which is its parent's
  ASSERT_TRUE(closed(served[0].conn));  // the child exited
  auto recs = of(served[0].conn);
  expect_well_formed(recs);
  auto r = data(recs, Direction::kRead);
  auto w = data(recs, Direction::kWrite);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(r[0].prefix, "PING");
  EXPECT_EQ(w[0].prefix, "PONG");
  EXPECT_EQ(w[0].role, Role::kServer);
  auto accepted = opens(uint32_t(getpid()), Role::kServer, ntohs(cl.sin_port));
  ASSERT_EQ(accepted.size(), 1u);
  ASSERT_TRUE(closed(accepted[0].conn));
  EXPECT_EQ(of(accepted[0].conn).size(), 2u) << "the parent's copy: open and close, no data";
}

// A connection open before the probe attached is picked up on both ends,
// with an unknown role, and its requests are captured.
TEST_F(L7ProbeTest, PicksUpConnectionsOpenBeforeStart) {
  const std::string req = "GET /early HTTP/1.1\r\nHost: kscope\r\n\r\n";
  ASSERT_EQ(write(early_fd_, req.data(), req.size()), ssize_t(req.size()));
  const std::string got = read_responses(early_fd_, 1);
  ASSERT_EQ(count_of(got, "HTTP/1.1 200 OK"), 1u);
  close(early_fd_);

  auto client = opens(uint32_t(getpid()), Role::kUnknown, nginx_->port());
  ASSERT_EQ(client.size(), 1u);
  EXPECT_EQ(client[0].conn.fd, uint32_t(early_fd_));
  EXPECT_EQ(client[0].local.port, early_port_);
  EXPECT_NE(client[0].conn.generation & (1ULL << 63), 0u) << "a generation of the pick-up's own";
  ASSERT_TRUE(closed(client[0].conn));
  early_fd_ = -1;
  auto crecs = of(client[0].conn);
  expect_well_formed(crecs);
  auto cw = data(crecs, Direction::kWrite);
  ASSERT_EQ(cw.size(), 1u);
  EXPECT_EQ(cw[0].prefix, req);
  EXPECT_EQ(cw[0].role, Role::kUnknown);

  auto server = opens(0, Role::kUnknown, early_port_);
  ASSERT_EQ(server.size(), 1u) << "nginx's end, picked up too";
  EXPECT_EQ(server[0].local.port, nginx_->port());
  ASSERT_TRUE(closed(server[0].conn));
  auto srecs = of(server[0].conn);
  expect_well_formed(srecs);
  std::string sreads;
  for (const auto& r : data(srecs, Direction::kRead)) sreads += r.prefix;
  EXPECT_EQ(sreads, req);
  std::vector<Family> out;
  CollectContext ctx{config_, out};
  probe_->collect(ctx);
  const Series* picked = testing::find_series(out, "kscope_l7_preexisting_connections_total", {});
  ASSERT_NE(picked, nullptr);
  EXPECT_GE(picked->value, 2) << "at least this test's two ends";
}

// The kernel's byte count (the coverage gauge's denominator) equals the bytes
// of the records delivered, this test's request and response among them,
// unless a connection on the host lost records or spoke TLS unseen (those
// bytes are counted and never delivered).
TEST_F(L7ProbeTest, SocketBytesAreTheDeliveredBytes) {
  uint16_t port = 0;
  int fd = connect_nginx(&port);
  const std::string req = "GET /bytes HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(write(fd, req.data(), req.size()), ssize_t(req.size()));
  const std::string resp = read_responses(fd, 1);
  ASSERT_GE(count_of(resp, "hello\n"), 1u);
  auto server = server_side(port);
  ASSERT_TRUE(server.has_value());
  ASSERT_TRUE(wait_for([&](const std::vector<Seen>& all) {
    return std::any_of(all.begin(), all.end(), [&](const Seen& s) {
      return s.is_data && s.id == server->conn && s.direction == Direction::kWrite;
    });
  }));
  close(fd);
  recorder_.stop();
  ASSERT_TRUE(probe_->detach());  // the ring is drained into the recorder
  const uint64_t kernel = probe_->socket_bytes();
  uint64_t delivered = 0;
  for (const Seen& s : recorder_.all()) {
    if (s.is_data) delivered += s.total;
  }
  std::vector<Family> out;
  CollectContext ctx{config_, out};
  probe_->collect(ctx);
  double lost = 0;
  for (const char* reason : {"ring_full", "in_flight_full", "unreadable", "tls_unseen", "tls_fd_unknown"}) {
    lost += testing::find_series(out, "kscope_l7_dropped_total", {{"reason", reason}})->value;
  }
  // Both ends of this test's exchange, at least.
  EXPECT_GE(delivered, 2 * (req.size() + resp.size()));
  EXPECT_GE(kernel, delivered);
  if (lost == 0) {
    EXPECT_EQ(kernel, delivered);
  }
  const Series* exported = testing::find_series(out, "kscope_l7_socket_bytes_total", {});
  ASSERT_NE(exported, nullptr);
  EXPECT_EQ(exported->value, double(kernel));
}

// Every reason is exported, with protocol="unknown".
TEST_F(L7ProbeTest, ExportsDropsByReason) {
  std::vector<Family> out;
  CollectContext ctx{config_, out};
  probe_->collect(ctx);
  for (const char* reason :
       {"ring_full", "conn_table_full", "in_flight_full", "unreadable", "truncated", "io_uring", "tls_fd_unknown",
        "tls_unseen", "malformed_record", "no_consumer", "preexisting_skipped"}) {
    EXPECT_NE(testing::find_series(out, "kscope_l7_dropped_total", {{"protocol", "unknown"}, {"reason", reason}}),
              nullptr)
        << reason;
  }
  EXPECT_EQ(testing::find_series(out, "kscope_l7_dropped_total", {{"reason", "malformed_record"}})->value, 0);
}

}  // namespace
}  // namespace kscope
