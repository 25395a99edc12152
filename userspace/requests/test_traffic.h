// Test helpers: socket events built from byte strings, and the captured
// traffic in testdata/ (see testdata/README.md). Tests only.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "requests/exchange_matcher.h"
#include "requests/socket_data.h"

namespace kscope::requests::testing {

inline std::string traffic(const std::string& name) {
  std::ifstream in(std::string(KSCOPE_SOURCE_DIR) + "/userspace/requests/testdata/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

constexpr uint64_t kMs = 1000 * 1000;

// One connection's calls with a capture bound, as the probe would send them.
struct Conn {
  ConnectionId id{1000, 7, 1};
  Role role = Role::kServer;
  size_t capture = 4096;  // bytes of each call the probe copies
  bool tls = false;

  SocketData call(Direction d, uint64_t ts, std::string_view bytes) const {
    SocketData s;
    s.conn = id;
    s.role = role;
    s.direction = d;
    s.timestamp_ns = ts;
    s.total_bytes = static_cast<uint32_t>(bytes.size());
    s.prefix = bytes.substr(0, capture);
    s.tls = tls;
    return s;
  }
  SocketData read(uint64_t ts, std::string_view bytes) const { return call(Direction::kRead, ts, bytes); }
  SocketData write(uint64_t ts, std::string_view bytes) const { return call(Direction::kWrite, ts, bytes); }

  ConnectionEvent open(uint64_t ts, SocketAddress peer = {}) const {
    ConnectionEvent e;
    e.conn = id;
    e.kind = ConnectionEvent::Kind::kOpen;
    e.role = role;
    e.timestamp_ns = ts;
    e.peer = peer;
    return e;
  }
  ConnectionEvent close(uint64_t ts) const {
    ConnectionEvent e = open(ts);
    e.kind = ConnectionEvent::Kind::kClose;
    return e;
  }
};

inline constexpr std::string_view kOkEmpty = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

// One exchange as the connection's role makes it: the request at t_req,
// the response at t_resp (read then written by a server, the other way
// round by a client).
template <typename Engine>
void exchange(Engine& m, const Conn& c, uint64_t t_req, std::string_view req, uint64_t t_resp,
              std::string_view resp) {
  bool server = c.role != Role::kClient;
  m.on_data(server ? c.read(t_req, req) : c.write(t_req, req));
  m.on_data(server ? c.write(t_resp, resp) : c.read(t_resp, resp));
}

// An exchange copied out of the sink (its views live for the call only).
struct Seen {
  Role role;
  std::string method;
  std::string target;
  int status;
  uint64_t duration_ns;
};

struct Recorder {
  std::vector<Seen> seen;
  ExchangeMatcher::Sink sink() {
    return [this](const Exchange& e) {
      seen.push_back({e.role, std::string(e.method), std::string(e.target), e.status, e.duration_ns()});
    };
  }
};

inline uint64_t drops(const ExchangeMatcher& m, DropReason r) { return m.drops()[static_cast<size_t>(r)]; }

inline uint64_t total_drops(const ExchangeMatcher& m) {
  uint64_t n = 0;
  for (uint64_t d : m.drops()) n += d;
  return n;
}

inline SocketAddress ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  SocketAddress s;
  s.address = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
  s.port = port;
  s.known = true;
  return s;
}

}  // namespace kscope::requests::testing
