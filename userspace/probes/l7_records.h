// The l7 probe's ring buffer records (include/kscope/abi/l7.h) decoded into
// the request engine's input (requests/socket_data.h), and the bookkeeping
// of live connections that turns a process's exit into the closes the
// kernel did for it. Pure userspace over bytes: no BPF, so it is unit
// tested and fuzzed (tests/fuzz/l7_records_fuzz.cpp).
//
// Records come from a kernel we trust but whose layout may not be ours
// (a stale object, a bug): every size and field is checked before use, and
// a record that fails is rejected, never partly used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/result.h"
#include "requests/socket_data.h"

namespace kscope {

// The last thread of a process with tracked sockets ended.
struct L7ProcessExit {
  uint32_t tgid = 0;
  uint64_t timestamp_ns = 0;
};

using L7Record = std::variant<requests::ConnectionEvent, requests::SocketData, L7ProcessExit>;

// One record as the ring buffer handed it. SocketData::prefix views into
// `bytes`, so it lives as long as they do (during the ring's callback).
Result<L7Record> decode_l7_record(std::span<const uint8_t> bytes);

// Where decoded records go, in ring order (per connection, the order the
// calls happened): a connection's data only between its open and its
// close. Either may be empty.
struct L7Listener {
  std::function<void(const requests::ConnectionEvent&)> on_connection;
  std::function<void(const requests::SocketData&)> on_data;
};

// The connections opened and not yet closed, so that the listener hears a
// close for every open: on close(), on the owning process's exit, when the
// kernel replaced a connection whose close it missed, and on close_all()
// (the probe was detached: closes happened unseen). Bounded: past
// max_connections, opens are still delivered but not remembered (counted in
// untracked()), so their process's exit closes nothing for them.
class L7Connections {
 public:
  explicit L7Connections(size_t max_connections) : max_(max_connections) {}

  // Delivers the record and any closes it implies. Returns the connections
  // the kernel may still hold (a process exit's) for the caller to delete
  // from the kernel's table.
  std::vector<requests::ConnectionId> deliver(const L7Record& record, const L7Listener& listener);

  // Closes every live connection at `timestamp_ns`.
  void close_all(uint64_t timestamp_ns, const L7Listener& listener);

  size_t live() const { return live_count_; }
  uint64_t untracked() const { return untracked_; }
  // Data records of a connection that was not open (closed already, by a
  // close racing the call on another thread, or by an exit or exec):
  // dropped, since the fd may name something else by now.
  uint64_t stale_data() const { return stale_data_; }

 private:
  struct Live {
    uint64_t generation = 0;
    requests::Role role = requests::Role::kUnknown;
  };
  void close(uint32_t tgid, uint32_t fd, const Live& conn, uint64_t ts, const L7Listener& listener);

  size_t max_;
  size_t live_count_ = 0;
  uint64_t untracked_ = 0;
  uint64_t stale_data_ = 0;
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, Live>> by_tgid_;
};

}  // namespace kscope
