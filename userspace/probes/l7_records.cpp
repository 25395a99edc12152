#include "probes/l7_records.h"

#include <cstddef>
#include <cstring>
#include <string>

#include "kscope/abi/l7.h"

static_assert(sizeof(l7_record_header) == 32, "l7_record_header layout is shared with bpf/l7.bpf.c");
static_assert(sizeof(l7_conn_record) == 96, "l7_conn_record layout");
static_assert(offsetof(l7_conn_record, comm) == 80, "l7_conn_record layout");
static_assert(offsetof(l7_conn_record, parent_tgid) == 72, "l7_conn_record layout");
static_assert(offsetof(l7_conn_record, peer_addr) == 40, "l7_conn_record layout");
static_assert(offsetof(l7_data_record, data) == KSCOPE_L7_DATA_HEAD_SIZE, "l7_data_record layout");

namespace kscope {
namespace {

using requests::ConnectionEvent;
using requests::Role;
using requests::SocketAddress;
using requests::SocketData;

Result<Role> role_of(uint8_t role) {
  switch (role) {
    case KSCOPE_L7_ROLE_UNKNOWN:
      return Role::kUnknown;
    case KSCOPE_L7_ROLE_SERVER:
      return Role::kServer;
    case KSCOPE_L7_ROLE_CLIENT:
      return Role::kClient;
    default:
      return Error("l7 record: unknown role " + std::to_string(role));
  }
}

SocketAddress address(const uint8_t (&addr)[16], uint16_t port, bool known) {
  SocketAddress a;
  if (!known) return a;
  std::memcpy(a.address.data(), addr, a.address.size());
  a.port = port;
  a.known = true;
  return a;
}

requests::ConnectionId id_of(const l7_record_header& h) { return {h.tgid, h.fd, h.generation}; }

Result<L7Record> decode_conn(std::span<const uint8_t> bytes, const l7_record_header& h) {
  if (h.flags != 0) return Error("l7 record: flags on a connection record");
  if (h.size != sizeof(l7_conn_record) || bytes.size() < sizeof(l7_conn_record)) {
    return Error("l7 record: connection record of " + std::to_string(bytes.size()) + " bytes");
  }
  l7_conn_record r;
  std::memcpy(&r, bytes.data(), sizeof(r));
  auto role = role_of(r.role);
  if (!role) return role.error();
  if (r.flags & ~(KSCOPE_L7_PEER_KNOWN | KSCOPE_L7_LOCAL_KNOWN)) return Error("l7 record: unknown flags");
  ConnectionEvent e;
  e.conn = id_of(h);
  e.kind = h.type == KSCOPE_L7_REC_OPEN ? ConnectionEvent::Kind::kOpen : ConnectionEvent::Kind::kClose;
  e.role = *role;
  e.timestamp_ns = h.ts_ns;
  if (e.kind == ConnectionEvent::Kind::kOpen) {
    e.peer = address(r.peer_addr, r.peer_port, r.flags & KSCOPE_L7_PEER_KNOWN);
    e.local = address(r.local_addr, r.local_port, r.flags & KSCOPE_L7_LOCAL_KNOWN);
    e.parent_tgid = r.parent_tgid;
    e.comm.assign(r.comm, strnlen(r.comm, sizeof(r.comm)));
  }
  return L7Record{e};
}

Result<L7Record> decode_data(std::span<const uint8_t> bytes, const l7_record_header& h) {
  if (bytes.size() < KSCOPE_L7_DATA_HEAD_SIZE || h.size < KSCOPE_L7_DATA_HEAD_SIZE) {
    return Error("l7 record: data record shorter than its head");
  }
  const uint8_t* p = bytes.data() + sizeof(l7_record_header);
  const uint8_t role_byte = p[0];
  const uint8_t direction = p[1];
  uint16_t captured;
  uint32_t total;
  std::memcpy(&captured, p + 2, sizeof(captured));
  std::memcpy(&total, p + 4, sizeof(total));
  if (captured > KSCOPE_L7_CAPTURE_MAX || h.size != KSCOPE_L7_DATA_HEAD_SIZE + captured ||
      bytes.size() < h.size) {
    return Error("l7 record: data record's sizes disagree (" + std::to_string(captured) + " captured, record of " +
                 std::to_string(bytes.size()) + " bytes)");
  }
  if (captured > total) return Error("l7 record: more bytes captured than the call moved");
  if (direction != KSCOPE_L7_READ && direction != KSCOPE_L7_WRITE) {
    return Error("l7 record: unknown direction " + std::to_string(direction));
  }
  auto role = role_of(role_byte);
  if (!role) return role.error();
  if (h.flags & ~uint32_t(KSCOPE_L7_REC_F_TLS)) return Error("l7 record: unknown data flags");
  SocketData d;
  d.conn = id_of(h);
  d.role = *role;
  d.direction = direction == KSCOPE_L7_READ ? requests::Direction::kRead : requests::Direction::kWrite;
  d.timestamp_ns = h.ts_ns;
  d.total_bytes = total;
  d.tls = (h.flags & KSCOPE_L7_REC_F_TLS) != 0;
  d.prefix = std::string_view(reinterpret_cast<const char*>(bytes.data()) + KSCOPE_L7_DATA_HEAD_SIZE, captured);
  return L7Record{d};
}

}  // namespace

Result<L7Record> decode_l7_record(std::span<const uint8_t> bytes) {
  if (bytes.size() < sizeof(l7_record_header)) return Error("l7 record: shorter than its header");
  l7_record_header h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  switch (h.type) {
    case KSCOPE_L7_REC_OPEN:
    case KSCOPE_L7_REC_CLOSE:
      return decode_conn(bytes, h);
    case KSCOPE_L7_REC_DATA:
      return decode_data(bytes, h);
    case KSCOPE_L7_REC_PROCESS_EXIT:
      if (h.size != sizeof(h)) return Error("l7 record: process exit record of the wrong size");
      return L7Record{L7ProcessExit{h.tgid, h.ts_ns}};
    default:
      return Error("l7 record: unknown type " + std::to_string(h.type));
  }
}

std::vector<requests::ConnectionId> L7Connections::deliver(const L7Record& record, const L7Listener& listener) {
  std::vector<requests::ConnectionId> closed;
  if (const auto* e = std::get_if<ConnectionEvent>(&record)) {
    auto& fds = by_tgid_[e->conn.tgid];
    auto it = fds.find(e->conn.fd);
    if (e->kind == ConnectionEvent::Kind::kOpen) {
      // The kernel replaced a connection whose close it did not see (a dup2
      // over the fd, or a close while detached): close the old one first.
      if (it != fds.end()) {
        close(e->conn.tgid, e->conn.fd, it->second, e->timestamp_ns, listener);
        fds.erase(it);
        --live_count_;
      }
      if (listener.on_connection) listener.on_connection(*e);
      if (live_count_ < max_) {
        fds[e->conn.fd] = Live{e->conn.generation, e->role};
        ++live_count_;
      } else {
        ++untracked_;
      }
    } else {
      if (it != fds.end() && it->second.generation == e->conn.generation) {
        fds.erase(it);
        --live_count_;
      }
      if (listener.on_connection) listener.on_connection(*e);
    }
    if (fds.empty()) by_tgid_.erase(e->conn.tgid);
  } else if (const auto* d = std::get_if<SocketData>(&record)) {
    // Past the bound, an open may not have been remembered: then a data
    // record of an unknown connection is passed on rather than guessed stale.
    auto t = by_tgid_.find(d->conn.tgid);
    const Live* live = nullptr;
    if (t != by_tgid_.end()) {
      auto f = t->second.find(d->conn.fd);
      if (f != t->second.end()) live = &f->second;
    }
    const bool open = live != nullptr ? live->generation == d->conn.generation : untracked_ > 0;
    if (!open) {
      ++stale_data_;
    } else if (listener.on_data) {
      listener.on_data(*d);
    }
  } else if (const auto* x = std::get_if<L7ProcessExit>(&record)) {
    auto it = by_tgid_.find(x->tgid);
    if (it != by_tgid_.end()) {
      for (const auto& [fd, conn] : it->second) {
        close(x->tgid, fd, conn, x->timestamp_ns, listener);
        closed.push_back({x->tgid, fd, conn.generation});
      }
      live_count_ -= it->second.size();
      by_tgid_.erase(it);
    }
  }
  return closed;
}

void L7Connections::close_all(uint64_t timestamp_ns, const L7Listener& listener) {
  for (const auto& [tgid, fds] : by_tgid_) {
    for (const auto& [fd, conn] : fds) close(tgid, fd, conn, timestamp_ns, listener);
  }
  by_tgid_.clear();
  live_count_ = 0;
}

void L7Connections::close(uint32_t tgid, uint32_t fd, const Live& conn, uint64_t ts, const L7Listener& listener) {
  if (!listener.on_connection) return;
  ConnectionEvent e;
  e.conn = {tgid, fd, conn.generation};
  e.kind = ConnectionEvent::Kind::kClose;
  e.role = conn.role;
  e.timestamp_ns = ts;
  listener.on_connection(e);
}

}  // namespace kscope
