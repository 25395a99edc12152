// The fuzz targets of the request engines (http_fuzz.cpp, db_fuzz.cpp)
// decode their input into the same socket events:
//   a sequence of records, each starting with an op byte:
//   bits 0-1 kind (0 data, 1 open, 2 close, 3 evict), bits 2-3 connection
//   (0-3), bit 4 direction (write), bits 5-6 role, bit 7 TLS;
//   then a byte of time step (ms); then for data: u16 total_bytes, u16
//   prefix length, the prefix bytes; for open/close: a generation byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "requests/socket_data.h"

namespace kscope::fuzz {

struct Reader {
  std::string_view in;
  bool empty() const { return in.empty(); }
  uint8_t u8() {
    if (in.empty()) return 0;
    auto v = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    return v;
  }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  std::string_view bytes(size_t n) {
    std::string_view b = in.substr(0, n);
    in.remove_prefix(b.size());
    return b;
  }
};

// Hands each event to sink.on_data(SocketData), sink.on_connection(
// ConnectionEvent) or sink.evict_idle(now_ns), then calls sink.check().
template <typename Sink>
void decode_events(std::string_view in, Sink& sink) {
  using namespace kscope::requests;
  Reader r{in};
  uint64_t now = 0;
  while (!r.empty()) {
    uint8_t op = r.u8();
    now += uint64_t{r.u8()} * 1000 * 1000;
    const auto conn = static_cast<uint32_t>((op >> 2) & 3);
    ConnectionId id{100 + conn % 2, conn, 1};
    auto role = static_cast<Role>(((op >> 5) & 3) % 3);
    switch (op & 3) {
      case 0: {
        SocketData d;
        uint16_t total = r.u16();
        uint16_t n = r.u16();
        d.prefix = r.bytes(n);
        d.conn = id;
        d.role = role;
        d.direction = (op & 0x10) ? Direction::kWrite : Direction::kRead;
        d.timestamp_ns = now;
        d.total_bytes = total;
        d.tls = (op & 0x80) != 0;
        sink.on_data(d);
        break;
      }
      case 1:
      case 2: {
        ConnectionEvent e;
        e.conn = id;
        e.conn.generation = r.u8();
        e.kind = (op & 3) == 1 ? ConnectionEvent::Kind::kOpen : ConnectionEvent::Kind::kClose;
        e.role = role;
        e.timestamp_ns = now;
        sink.on_connection(e);
        break;
      }
      default:
        sink.evict_idle(now);
        break;
    }
    sink.check();
  }
}

}  // namespace kscope::fuzz
