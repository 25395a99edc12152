#include "requests/protocol_router.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kscope::requests {
namespace {

// What each sink received, as "open 7", "data 7 GET", "close 7".
struct Sinks {
  std::array<std::vector<std::string>, kL7ProtocolCount> seen;
  std::array<ProtocolSink, kL7ProtocolCount> make() {
    std::array<ProtocolSink, kL7ProtocolCount> out;
    for (size_t i = 0; i < kL7ProtocolCount; ++i) {
      out[i].on_connection = [this, i](const ConnectionEvent& e) {
        seen[i].push_back(std::string(e.kind == ConnectionEvent::Kind::kOpen ? "open " : "close ") +
                          std::to_string(e.conn.fd));
      };
      out[i].on_data = [this, i](const SocketData& d) {
        seen[i].push_back("data " + std::to_string(d.conn.fd) + " " + std::string(d.prefix.substr(0, 3)));
      };
    }
    return out;
  }
  const std::vector<std::string>& of(L7Protocol p) const { return seen[static_cast<size_t>(p)]; }
};

ConnectionEvent open_event(uint32_t fd, Role role, uint16_t local_port, uint16_t peer_port) {
  ConnectionEvent e;
  e.conn = {100, fd, fd};
  e.kind = ConnectionEvent::Kind::kOpen;
  e.role = role;
  e.local.port = local_port;
  e.peer.port = peer_port;
  e.timestamp_ns = 1;
  return e;
}

ConnectionEvent close_event(uint32_t fd) {
  ConnectionEvent e;
  e.conn = {100, fd, fd};
  e.kind = ConnectionEvent::Kind::kClose;
  return e;
}

SocketData data(uint32_t fd, std::string_view bytes, uint64_t ts = 2) {
  SocketData d;
  d.conn = {100, fd, fd};
  d.direction = Direction::kRead;
  d.prefix = bytes;
  d.total_bytes = uint32_t(bytes.size());
  d.timestamp_ns = ts;
  return d;
}

TEST(ProtocolRouter, EachConnectionGoesWhereItsFirstBytesSay) {
  Sinks s;
  ProtocolRouter r(s.make(), 16);
  r.on_connection(open_event(1, Role::kServer, 8080, 40000));
  r.on_connection(open_event(2, Role::kServer, 7000, 40001));
  r.on_connection(open_event(3, Role::kClient, 40002, 5432));
  EXPECT_TRUE(s.of(L7Protocol::kHttp).empty()) << "opens are held until the first bytes";
  r.on_data(data(1, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  r.on_data(data(2, "*1\r\n$4\r\nPING\r\n"));
  r.on_data(data(1, "POST /a HTTP/1.1\r\n"));
  r.on_connection(close_event(1));
  r.on_connection(close_event(2));
  EXPECT_EQ(s.of(L7Protocol::kHttp), (std::vector<std::string>{"open 1", "data 1 GET", "data 1 POS", "close 1"}));
  EXPECT_EQ(s.of(L7Protocol::kRedis), (std::vector<std::string>{"open 2", "data 2 *1\r", "close 2"}));
  EXPECT_TRUE(s.of(L7Protocol::kUnknown).empty());
  EXPECT_EQ(r.connections(), 1u) << "the client to 5432 sent nothing yet";
}

TEST(ProtocolRouter, UnrecognisedBytesAndUnknownConnectionsGoToTheUnknownSink) {
  Sinks s;
  ProtocolRouter r(s.make(), 16);
  r.on_connection(open_event(4, Role::kServer, 22, 40000));
  r.on_data(data(4, "SSH-2.0-OpenSSH_9.2\r\n"));
  r.on_data(data(9, "GET / HTTP/1.1\r\n"));  // its open was never seen here
  r.on_connection(close_event(9));
  EXPECT_EQ(s.of(L7Protocol::kUnknown),
            (std::vector<std::string>{"open 4", "data 4 SSH", "data 9 GET", "close 9"}));
}

TEST(ProtocolRouter, AConnectionClosedBeforeAnyDataReachesNoEngine) {
  Sinks s;
  ProtocolRouter r(s.make(), 16);
  r.on_connection(open_event(5, Role::kServer, 80, 40000));
  r.on_connection(close_event(5));
  for (const auto& v : s.seen) EXPECT_TRUE(v.empty());
  EXPECT_EQ(r.connections(), 0u);
}

TEST(ProtocolRouter, PastItsBoundConnectionsAreCountedAndSentOnUnrouted) {
  Sinks s;
  ProtocolRouter r(s.make(), 1);
  r.on_connection(open_event(1, Role::kServer, 6379, 40000));
  r.on_connection(open_event(2, Role::kServer, 6379, 40001));
  EXPECT_EQ(r.unrouted(), 1u);
  EXPECT_EQ(s.of(L7Protocol::kUnknown), (std::vector<std::string>{"open 2"}));
}

TEST(ProtocolRouter, OnlyConnectionsThatSentNothingAgeOut) {
  Sinks s;
  ProtocolRouter r(s.make(), 16);
  r.on_connection(open_event(1, Role::kServer, 6379, 40000));
  r.on_connection(open_event(2, Role::kServer, 6379, 40001));
  r.on_data(data(1, "*1\r\n$4\r\nPING\r\n", 2));
  r.evict_idle(1000000, 10);
  EXPECT_EQ(r.connections(), 1u) << "a routed connection idles as long as it likes";
  r.on_data(data(1, "*1\r\n$4\r\nPING\r\n", 1000001));
  EXPECT_EQ(s.of(L7Protocol::kRedis).size(), 3u);
}

}  // namespace
}  // namespace kscope::requests
