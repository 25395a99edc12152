#include "probes/l7_records.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "kscope/abi/l7.h"

namespace kscope {
namespace {

using requests::ConnectionEvent;
using requests::Role;

std::vector<uint8_t> bytes_of(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  return {b, b + n};
}

l7_record_header header(uint16_t type, uint16_t size, uint32_t tgid, uint32_t fd, uint64_t gen, uint64_t ts) {
  l7_record_header h{};
  h.type = type;
  h.size = size;
  h.tgid = tgid;
  h.fd = fd;
  h.generation = gen;
  h.ts_ns = ts;
  return h;
}

std::vector<uint8_t> conn_record(uint16_t type, uint32_t tgid, uint32_t fd, uint64_t gen, uint8_t role) {
  l7_conn_record r{};
  r.hdr = header(type, sizeof(r), tgid, fd, gen, 100);
  r.role = role;
  r.flags = KSCOPE_L7_PEER_KNOWN | KSCOPE_L7_LOCAL_KNOWN;
  r.peer_port = 8080;
  r.local_port = 40000;
  const uint8_t v4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3};
  std::memcpy(r.peer_addr, v4, 16);
  std::memcpy(r.comm, "0123456789abcdef", 16);  // a full comm has no terminating NUL
  return bytes_of(&r, sizeof(r));
}

std::vector<uint8_t> data_record(uint32_t tgid, uint32_t fd, uint64_t gen, const std::string& bytes, uint32_t total,
                                 uint8_t direction = KSCOPE_L7_READ) {
  l7_data_record r{};
  r.hdr = header(KSCOPE_L7_REC_DATA, KSCOPE_L7_DATA_HEAD_SIZE + bytes.size(), tgid, fd, gen, 200);
  r.role = KSCOPE_L7_ROLE_SERVER;
  r.direction = direction;
  r.captured = bytes.size();
  r.total_bytes = total;
  std::memcpy(r.data, bytes.data(), bytes.size());
  return bytes_of(&r, KSCOPE_L7_DATA_HEAD_SIZE + bytes.size());
}

TEST(L7Records, DecodesAnOpenWithBothAddresses) {
  auto rec = decode_l7_record(conn_record(KSCOPE_L7_REC_OPEN, 7, 5, 3, KSCOPE_L7_ROLE_CLIENT));
  ASSERT_TRUE(rec) << rec.error().to_string();
  const auto& e = std::get<ConnectionEvent>(*rec);
  EXPECT_EQ(e.kind, ConnectionEvent::Kind::kOpen);
  EXPECT_EQ(e.role, Role::kClient);
  EXPECT_EQ(e.conn, (requests::ConnectionId{7, 5, 3}));
  EXPECT_TRUE(e.peer.known);
  EXPECT_EQ(e.peer.port, 8080);
  EXPECT_EQ(e.peer.address[12], 10);
  EXPECT_EQ(e.local.port, 40000);
  EXPECT_EQ(e.comm, "0123456789abcdef");
}

TEST(L7Records, DecodesDataWithOnlyItsCapturedBytes) {
  auto raw = data_record(7, 5, 3, "GET / HTTP/1.1\r\n", 500, KSCOPE_L7_WRITE);
  auto rec = decode_l7_record(raw);
  ASSERT_TRUE(rec) << rec.error().to_string();
  const auto& d = std::get<requests::SocketData>(*rec);
  EXPECT_EQ(d.prefix, "GET / HTTP/1.1\r\n");
  EXPECT_EQ(d.total_bytes, 500u);
  EXPECT_EQ(d.direction, requests::Direction::kWrite);
  EXPECT_EQ(d.role, Role::kServer);
}

TEST(L7Records, DataFromSslCallsIsMarkedTls) {
  auto raw = data_record(7, 5, 3, "GET /tls HTTP/1.1\r\n", 19);
  auto plain = decode_l7_record(raw);
  ASSERT_TRUE(plain) << plain.error().to_string();
  EXPECT_FALSE(std::get<requests::SocketData>(*plain).tls);
  uint32_t flags = KSCOPE_L7_REC_F_TLS;
  std::memcpy(raw.data() + offsetof(l7_record_header, flags), &flags, sizeof(flags));
  auto tls = decode_l7_record(raw);
  ASSERT_TRUE(tls) << tls.error().to_string();
  EXPECT_TRUE(std::get<requests::SocketData>(*tls).tls);
  EXPECT_EQ(std::get<requests::SocketData>(*tls).prefix, "GET /tls HTTP/1.1\r\n");
  flags = 2;  // no such flag
  std::memcpy(raw.data() + offsetof(l7_record_header, flags), &flags, sizeof(flags));
  EXPECT_FALSE(decode_l7_record(raw));
  auto open = conn_record(KSCOPE_L7_REC_OPEN, 7, 5, 3, KSCOPE_L7_ROLE_CLIENT);
  flags = KSCOPE_L7_REC_F_TLS;
  std::memcpy(open.data() + offsetof(l7_record_header, flags), &flags, sizeof(flags));
  EXPECT_FALSE(decode_l7_record(open)) << "flags belong to data records";
}

TEST(L7Records, RejectsWhatDoesNotAddUp) {
  EXPECT_FALSE(decode_l7_record({}));
  auto raw = data_record(1, 2, 3, "abc", 3);
  raw.pop_back();  // shorter than its header says
  EXPECT_FALSE(decode_l7_record(raw));
  EXPECT_FALSE(decode_l7_record(data_record(1, 2, 3, "abcd", 3)));  // more captured than moved
  auto bad_role = conn_record(KSCOPE_L7_REC_OPEN, 1, 2, 3, 9);
  EXPECT_FALSE(decode_l7_record(bad_role));
  auto bad_type = conn_record(77, 1, 2, 3, 1);
  EXPECT_FALSE(decode_l7_record(bad_type));
}

TEST(L7Connections, ProcessExitClosesWhatWasOpen) {
  L7Connections conns(16);
  std::vector<ConnectionEvent> events;
  L7Listener l{[&](const ConnectionEvent& e) { events.push_back(e); }, nullptr};
  for (uint32_t fd : {4u, 5u}) {
    auto rec = decode_l7_record(conn_record(KSCOPE_L7_REC_OPEN, 9, fd, fd * 10, KSCOPE_L7_ROLE_SERVER));
    ASSERT_TRUE(rec);
    EXPECT_TRUE(conns.deliver(*rec, l).empty());
  }
  auto close4 = decode_l7_record(conn_record(KSCOPE_L7_REC_CLOSE, 9, 4, 40, KSCOPE_L7_ROLE_SERVER));
  ASSERT_TRUE(close4);
  conns.deliver(*close4, l);
  EXPECT_EQ(conns.live(), 1u);
  auto forgotten = conns.deliver(L7Record{L7ProcessExit{9, 300}}, l);
  ASSERT_EQ(forgotten.size(), 1u);
  EXPECT_EQ(forgotten[0], (requests::ConnectionId{9, 5, 50}));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[3].kind, ConnectionEvent::Kind::kClose);
  EXPECT_EQ(events[3].conn.generation, 50u);
  EXPECT_EQ(events[3].timestamp_ns, 300u);
  EXPECT_EQ(conns.live(), 0u);
}

TEST(L7Connections, AnOpenOverALiveFdClosesTheOldOneFirst) {
  L7Connections conns(16);
  std::vector<ConnectionEvent> events;
  L7Listener l{[&](const ConnectionEvent& e) { events.push_back(e); }, nullptr};
  for (uint64_t gen : {1u, 2u}) {
    auto rec = decode_l7_record(conn_record(KSCOPE_L7_REC_OPEN, 9, 4, gen, KSCOPE_L7_ROLE_CLIENT));
    ASSERT_TRUE(rec);
    conns.deliver(*rec, l);
  }
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].kind, ConnectionEvent::Kind::kClose);
  EXPECT_EQ(events[1].conn.generation, 1u);
  EXPECT_EQ(events[2].conn.generation, 2u);
  conns.close_all(500, l);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[3].conn.generation, 2u);
}

TEST(L7Connections, DataOnlyBetweenItsOpenAndItsClose) {
  L7Connections conns(16);
  std::vector<std::string> got;
  L7Listener l{nullptr, [&](const requests::SocketData& d) { got.emplace_back(d.prefix); }};
  auto deliver = [&](const std::vector<uint8_t>& raw) {
    auto rec = decode_l7_record(raw);
    ASSERT_TRUE(rec) << rec.error().to_string();
    conns.deliver(*rec, l);
  };
  deliver(data_record(9, 4, 1, "before", 6));
  deliver(conn_record(KSCOPE_L7_REC_OPEN, 9, 4, 1, KSCOPE_L7_ROLE_SERVER));
  deliver(data_record(9, 4, 1, "during", 6));
  deliver(data_record(9, 4, 2, "other generation", 16));
  deliver(conn_record(KSCOPE_L7_REC_CLOSE, 9, 4, 1, KSCOPE_L7_ROLE_SERVER));
  deliver(data_record(9, 4, 1, "after", 5));
  EXPECT_EQ(got, std::vector<std::string>{"during"});
  EXPECT_EQ(conns.stale_data(), 3u);
}

TEST(L7Connections, PastItsBoundOpensAreDeliveredButNotKept) {
  L7Connections conns(1);
  int opens = 0;
  L7Listener l{[&](const ConnectionEvent&) { ++opens; }, nullptr};
  for (uint32_t fd : {4u, 5u}) {
    auto rec = decode_l7_record(conn_record(KSCOPE_L7_REC_OPEN, 9, fd, fd, KSCOPE_L7_ROLE_CLIENT));
    ASSERT_TRUE(rec);
    conns.deliver(*rec, l);
  }
  EXPECT_EQ(opens, 2);
  EXPECT_EQ(conns.live(), 1u);
  EXPECT_EQ(conns.untracked(), 1u);
}

}  // namespace
}  // namespace kscope
