// The TCP probe against the kernel's own counters, on a lossy veth link
// between two network namespaces this test creates (nftables drops a
// fraction of packets; nothing leaves the machine).
#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include <chrono>
#include <future>
#include <mutex>

#include "events/event_reader.h"
#include "netns_pair.h"
#include "probes/kernel_names.h"
#include "probes/tcp_probe.h"

namespace kscope {
namespace {

using test::NetnsPair;

constexpr uint16_t kDataPort = 5201;
constexpr uint16_t kSlowSynPort = 5202;
constexpr uint16_t kClosedPort = 5299;

class TcpProbeTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs and create network namespaces";
    net_ = std::make_unique<NetnsPair>();
    if (!net_->ok()) GTEST_SKIP() << "could not create network namespaces with a veth pair (ip netns, veth)";
    TcpProbeOptions opts;
    opts.event_kinds |= 1u << KSCOPE_TCP_CONNECT;
    opts.connect_event_min = Nanos(1);
    probe_ = make_tcp_probe(opts);
    auto st = probe_->start(config_);
    ASSERT_TRUE(st) << st.error().to_string();
    auto reader = EventReader::create({*probe_->event_source()}, [this](EventPtr e) {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(e));
    });
    ASSERT_TRUE(reader) << reader.error().to_string();
    reader_ = std::move(*reader);
    reader_->start(std::chrono::milliseconds(20));
  }

  void TearDown() override {
    if (reader_) reader_->stop();
  }

  bool v6() const { return GetParam(); }
  std::string a_ip() const { return v6() ? NetnsPair::kA6 : NetnsPair::kA4; }
  std::string b_ip() const { return v6() ? NetnsPair::kB6 : NetnsPair::kB4; }

  std::vector<Family> collect() {
    std::vector<Family> out;
    CollectContext ctx{config_, out};
    probe_->collect(ctx);
    return out;
  }

  static const Family* find(const std::vector<Family>& fams, const std::string& name) {
    for (const auto& f : fams) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  // Sum of the series of a family whose labels include all of `want`.
  static double sum(const std::vector<Family>& fams, const std::string& name, const Labels& want) {
    const Family* f = find(fams, name);
    double total = 0;
    if (f == nullptr) return 0;
    for (const auto& s : f->series) {
      bool match = true;
      for (const auto& [k, v] : want) match = match && s.label(k) != nullptr && *s.label(k) == v;
      if (match) total += s.value;
    }
    return total;
  }

  std::vector<TcpEvent> tcp_events(TcpEventKind kind) {
    std::lock_guard lock(mu_);
    std::vector<TcpEvent> out;
    for (const auto& e : events_) {
      const auto& t = std::get<TcpEvent>(e->body);
      if (t.kind == kind) out.push_back(t);
    }
    return out;
  }

  // Retransmitted segments in events sent from `ip`.
  uint64_t event_segments_from(const std::string& ip) {
    uint64_t n = 0;
    for (const auto& t : tcp_events(TcpEventKind::kRetransmit)) {
      if (format_ip(t.family, t.saddr) == ip) n += t.segs;
    }
    return n;
  }

  Config config_;
  std::unique_ptr<NetnsPair> net_;
  std::unique_ptr<Probe> probe_;
  std::unique_ptr<EventReader> reader_;
  std::mutex mu_;
  std::vector<EventPtr> events_;
};

int tcp_socket(const std::string& ip) {
  int fd = socket(ip.find(':') != std::string::npos ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  return fd;
}

// A listener in namespace `ns` that accepts one connection and reads it to
// the end; the future holds the bytes read.
std::future<size_t> serve_once(const std::string& ns, const std::string& ip, uint16_t port, std::thread& thread) {
  auto ready = std::make_shared<std::promise<void>>();
  auto done = std::make_shared<std::promise<size_t>>();
  auto result = done->get_future();
  thread = NetnsPair::spawn_in(ns, [ip, port, ready, done] {
    int lfd = tcp_socket(ip);
    sockaddr_storage ss;
    socklen_t len = test::make_addr(ip, port, ss);
    if (bind(lfd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(lfd, 4) != 0) std::abort();
    ready->set_value();
    size_t total = 0;
    int cfd = accept(lfd, nullptr, nullptr);
    if (cfd >= 0) {
      char buf[65536];
      ssize_t n;
      while ((n = read(cfd, buf, sizeof(buf))) > 0) total += static_cast<size_t>(n);
      close(cfd);
    }
    close(lfd);
    done->set_value(total);
  });
  ready->get_future().wait();
  return result;
}

// Connects from namespace `ns` (bound to local_port when nonzero), sends
// `bytes`, and waits for the peer to close. Returns the connect errno (0 on
// success) and the local port.
std::pair<int, uint16_t> connect_and_send(const std::string& ns, const std::string& local_ip, uint16_t local_port,
                                          const std::string& ip, uint16_t port, size_t bytes) {
  int err = 0;
  uint16_t sport = local_port;
  NetnsPair::run_in(ns, [&] {
    int fd = tcp_socket(ip);
    sockaddr_storage local, remote;
    socklen_t llen = test::make_addr(local_ip, local_port, local);
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), llen) != 0) std::abort();
    socklen_t rlen = test::make_addr(ip, port, remote);
    if (connect(fd, reinterpret_cast<sockaddr*>(&remote), rlen) != 0) {
      err = errno;
      close(fd);
      return;
    }
    sockaddr_storage me;
    socklen_t mlen = sizeof(me);
    getsockname(fd, reinterpret_cast<sockaddr*>(&me), &mlen);
    sport = ntohs(me.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&me)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&me)->sin_port);
    std::vector<char> chunk(65536, 'k');
    size_t sent = 0;
    while (sent < bytes) {
      ssize_t n = write(fd, chunk.data(), std::min(chunk.size(), bytes - sent));
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    shutdown(fd, SHUT_WR);
    char c;
    while (read(fd, &c, 1) > 0) {
    }
    close(fd);
  });
  return {err, sport};
}

TEST_P(TcpProbeTest, RetransmitsEqualTheKernelsRetransSegsOnALossyLink) {
  // 10% of the client's data and 5% of the server's ACKs and FIN dropped on
  // arrival: real loss, so the retransmits succeed locally and count.
  ASSERT_TRUE(net_->nft(net_->b(), "chain in { type filter hook input priority 0; policy accept;\n"
                                   "  tcp dport 5201 numgen random mod 10 == 0 drop\n}"));
  ASSERT_TRUE(net_->nft(net_->a(), "chain in { type filter hook input priority 0; policy accept;\n"
                                   "  tcp sport 5201 numgen random mod 20 == 0 drop\n}"));
  auto before = collect();
  long a0 = NetnsPair::snmp_tcp(net_->a(), "RetransSegs");
  long b0 = NetnsPair::snmp_tcp(net_->b(), "RetransSegs");

  std::thread server;
  auto received = serve_once(net_->b(), b_ip(), kDataPort, server);
  auto [err, sport] = connect_and_send(net_->a(), a_ip(), 0, b_ip(), kDataPort, 4 << 20);
  server.join();
  ASSERT_EQ(err, 0) << strerror(err);
  EXPECT_EQ(received.get(), size_t{4 << 20});
  net_->nft_clear(net_->a());
  net_->nft_clear(net_->b());

  // Retransmits of the last segments may still be in flight; both sides
  // are monotonic, so wait until they agree (or give up and report).
  long da = 0, db = 0;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
       std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    da = NetnsPair::snmp_tcp(net_->a(), "RetransSegs") - a0;
    db = NetnsPair::snmp_tcp(net_->b(), "RetransSegs") - b0;
    if (uint64_t(da) == event_segments_from(a_ip()) && uint64_t(db) == event_segments_from(b_ip())) break;
  }
  RecordProperty("client_retransmitted_segments", std::to_string(da));
  RecordProperty("server_retransmitted_segments", std::to_string(db));
  EXPECT_GT(da, 0) << "10% loss should have caused retransmits";
  EXPECT_EQ(event_segments_from(a_ip()), uint64_t(da)) << "client namespace";
  EXPECT_EQ(event_segments_from(b_ip()), uint64_t(db)) << "server namespace";
  EXPECT_EQ(probe_->events_lost(), 0u);

  // The metric, by remote endpoint: the client's retransmits go to the
  // server's address and port.
  auto after = collect();
  Labels to_server{{"remote_addr", b_ip()}, {"remote_port", "5201"}};
  Labels to_client{{"remote_addr", a_ip()}, {"remote_port", std::to_string(sport)}};
  EXPECT_EQ(sum(after, "kscope_tcp_retransmits_total", to_server) -
                sum(before, "kscope_tcp_retransmits_total", to_server),
            double(da));
  EXPECT_EQ(sum(after, "kscope_tcp_retransmits_total", to_client), double(db));

  for (const auto& t : tcp_events(TcpEventKind::kRetransmit)) {
    if (format_ip(t.family, t.saddr) != a_ip()) continue;
    EXPECT_EQ(format_ip(t.family, t.daddr), b_ip());
    EXPECT_EQ(t.sport, sport);
    EXPECT_EQ(t.dport, kDataPort);
    EXPECT_GE(t.segs, 1u);
    EXPECT_NE(tcp_state_name(t.state).rfind("UNKNOWN", 0), 0u) << int(t.state);
  }
}

TEST_P(TcpProbeTest, ClosedPortCountsResetsAndAFailedConnect) {
  auto before = collect();
  long rsts0 = NetnsPair::snmp_tcp(net_->b(), "OutRsts");
  const uint16_t sport = 40123;
  auto [err, port] = connect_and_send(net_->a(), a_ip(), sport, b_ip(), kClosedPort, 0);
  ASSERT_EQ(err, ECONNREFUSED) << strerror(err);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  auto sent = tcp_events(TcpEventKind::kResetSent);
  int from_server = 0;
  for (const auto& t : sent) {
    if (format_ip(t.family, t.saddr) != b_ip()) continue;
    ++from_server;
    EXPECT_EQ(t.sport, kClosedPort);
    EXPECT_EQ(format_ip(t.family, t.daddr), a_ip());
    EXPECT_EQ(t.dport, sport);
  }
  EXPECT_EQ(from_server, 1);
  EXPECT_EQ(NetnsPair::snmp_tcp(net_->b(), "OutRsts") - rsts0, 1);

  int received = 0;
  for (const auto& t : tcp_events(TcpEventKind::kResetReceived)) {
    if (format_ip(t.family, t.daddr) != b_ip() || t.dport != kClosedPort) continue;
    ++received;
    EXPECT_EQ(format_ip(t.family, t.saddr), a_ip());
    EXPECT_EQ(t.sport, sport);
    EXPECT_EQ(tcp_state_name(t.state), "SYN_SENT");
  }
  EXPECT_EQ(received, 1);

  int failed = 0;
  for (const auto& t : tcp_events(TcpEventKind::kConnectFailed)) {
    if (format_ip(t.family, t.daddr) != b_ip() || t.dport != kClosedPort) continue;
    ++failed;
    EXPECT_EQ(t.sport, sport);
    EXPECT_EQ(t.pid, uint32_t(getpid()));
    EXPECT_GT(t.latency_ns, 0u);
  }
  EXPECT_EQ(failed, 1);

  // Host-wide counters: at least ours (other tests may run beside this one).
  auto after = collect();
  for (const char* dir : {"sent", "received"}) {
    Labels l{{"direction", dir}};
    EXPECT_GE(sum(after, "kscope_tcp_resets_total", l) - sum(before, "kscope_tcp_resets_total", l), 1) << dir;
  }
  EXPECT_GE(sum(after, "kscope_tcp_connect_failures_total", {}) - sum(before, "kscope_tcp_connect_failures_total", {}),
            1);
}

TEST_P(TcpProbeTest, ConnectWithALostSynLandsInTheLatencyHistogramAtOneSecond) {
  // The first SYN to the port is dropped; the kernel resends it after its
  // 1 s initial RTO, so the connect takes 1 s and one SYN is retransmitted.
  ASSERT_TRUE(net_->nft(net_->b(), "chain in { type filter hook input priority 0; policy accept;\n"
                                   "  tcp dport 5202 tcp flags & (syn | ack) == syn numgen inc mod 2 == 0 drop\n}"));
  auto before = collect();
  long a0 = NetnsPair::snmp_tcp(net_->a(), "RetransSegs");
  std::thread server;
  auto received = serve_once(net_->b(), b_ip(), kSlowSynPort, server);
  auto [err, sport] = connect_and_send(net_->a(), a_ip(), 0, b_ip(), kSlowSynPort, 1000);
  server.join();
  ASSERT_EQ(err, 0) << strerror(err);
  EXPECT_EQ(received.get(), 1000u);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto after = collect();

  const Family* fb = find(before, "kscope_tcp_connect_latency_seconds");
  const Family* fa = find(after, "kscope_tcp_connect_latency_seconds");
  ASSERT_NE(fa, nullptr);
  ASSERT_EQ(fa->series.size(), 1u);
  Histogram delta = fb != nullptr && !fb->series.empty() ? fa->series[0].histogram->delta_since(*fb->series[0].histogram)
                                                          : *fa->series[0].histogram;
  EXPECT_GE(delta.count(), 1u);
  EXPECT_EQ(delta.count() - delta.count_below_ns(0.9e9), 1.0) << "exactly one connect took about a second";
  EXPECT_LE(delta.count_below_ns(1.6e9) - delta.count_below_ns(0.9e9), 1.0);

  int connects = 0;
  for (const auto& t : tcp_events(TcpEventKind::kConnect)) {
    if (format_ip(t.family, t.daddr) != b_ip() || t.dport != kSlowSynPort) continue;
    ++connects;
    EXPECT_EQ(t.sport, sport);
    EXPECT_EQ(t.pid, uint32_t(getpid()));
    EXPECT_GE(t.latency_ns, 1000000000u);
    EXPECT_LT(t.latency_ns, 1500000000u);
  }
  EXPECT_EQ(connects, 1);

  Labels syn{{"state", "SYN_SENT"}, {"remote_addr", b_ip()}, {"remote_port", "5202"}};
  EXPECT_EQ(sum(after, "kscope_tcp_retransmits_total", syn) - sum(before, "kscope_tcp_retransmits_total", syn), 1);
  EXPECT_EQ(NetnsPair::snmp_tcp(net_->a(), "RetransSegs") - a0, 1);
}

INSTANTIATE_TEST_SUITE_P(Families, TcpProbeTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "IPv6" : "IPv4"; });

}  // namespace
}  // namespace kscope
