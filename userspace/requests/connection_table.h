// The connections a request engine follows, keyed by (tgid, fd): at most
// max_connections, the least recently active forgotten first once idle,
// and generations against fd reuse (an event of a newer generation on the
// same fd ends the old connection; one of an older generation is stale).
// Shared by the HTTP matcher and the database engines; what a forgotten
// connection still waited for is the owner's to count (on_forget).
//
// Connection must have: ConnectionId id; uint64_t last_ns; and
// std::list<uint64_t>::iterator lru. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <unordered_map>
#include <utility>

#include "requests/drop_reason.h"
#include "requests/socket_data.h"

namespace kscope::requests {

template <typename Connection>
class ConnectionTable {
 public:
  // Called with a connection about to be forgotten and why.
  using OnForget = std::function<void(Connection&, DropReason)>;

  ConnectionTable(size_t max_connections, uint64_t idle_timeout_ns, OnForget on_forget)
      : max_(max_connections == 0 ? 1 : max_connections), idle_ns_(idle_timeout_ns), on_forget_(std::move(on_forget)) {}

  // The connection of `id`, created if there is room (idle ones are
  // forgotten to make some), and marked active at now_ns. Null when the
  // table is full of active connections (table_full) or the event is
  // older than the tracked generation.
  Connection* find_or_add(const ConnectionId& id, uint64_t now_ns, bool& table_full) {
    table_full = false;
    const uint64_t key = key_of(id);
    auto it = map_.find(key);
    if (it != map_.end()) {
      if (it->second.id.generation == id.generation) {
        touch(it->second, now_ns);
        return &it->second;
      }
      if (it->second.id.generation > id.generation) return nullptr;  // a stale event
      // The fd was reused: whatever waited on the old connection never got
      // its answer on this one.
      forget(key, DropReason::kClosedInFlight);
    }
    if (map_.size() >= max_) {
      evict_idle(now_ns);
      if (map_.size() >= max_) {
        table_full = true;
        return nullptr;
      }
    }
    Connection& c = map_[key];
    c.id = id;
    c.last_ns = now_ns;
    c.lru = lru_.insert(lru_.end(), key);
    return &c;
  }

  // The connection closed (unless the table already follows a newer one).
  void close(const ConnectionId& id) {
    const uint64_t key = key_of(id);
    auto it = map_.find(key);
    if (it != map_.end() && it->second.id.generation <= id.generation) forget(key, DropReason::kClosedInFlight);
  }

  // Forgets connections with no event since now_ns - idle_timeout.
  void evict_idle(uint64_t now_ns) {
    while (!lru_.empty()) {
      auto it = map_.find(lru_.front());
      if (it == map_.end()) {
        lru_.pop_front();  // cannot happen: the list and the map change together
        continue;
      }
      uint64_t last = it->second.last_ns;
      if (now_ns <= last || now_ns - last <= idle_ns_) break;
      forget(lru_.front(), DropReason::kEvictedInFlight);
    }
  }

  size_t size() const { return map_.size(); }

  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [key, c] : map_) f(c);
  }

 private:
  static uint64_t key_of(const ConnectionId& id) { return uint64_t{id.tgid} << 32 | id.fd; }

  void touch(Connection& c, uint64_t now_ns) {
    if (now_ns > c.last_ns) c.last_ns = now_ns;
    lru_.splice(lru_.end(), lru_, c.lru);
  }

  void forget(uint64_t key, DropReason reason) {
    auto it = map_.find(key);
    if (it == map_.end()) return;
    if (on_forget_) on_forget_(it->second, reason);
    lru_.erase(it->second.lru);
    map_.erase(it);
  }

  size_t max_;
  uint64_t idle_ns_;
  OnForget on_forget_;
  std::unordered_map<uint64_t, Connection> map_;
  std::list<uint64_t> lru_;  // least recently active first
};

}  // namespace kscope::requests
