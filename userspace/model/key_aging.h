// Ages out kernel map entries whose counts stopped changing: the targets of
// exited processes, so a host with churn keeps a bounded number of series
// and kernel map entries instead of filling up with the dead.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kscope {

class KeyAging {
 public:
  using Clock = std::chrono::steady_clock;

  explicit KeyAging(Clock::duration ttl) : ttl_(ttl) {}

  // Called for every key seen in a collection with its current activity
  // (any number that grows while the key is in use, e.g. a count). Returns
  // true when the key has been idle for longer than the ttl: the caller
  // deletes it from the map and leaves it out of the snapshot.
  bool idle(std::string_view key_bytes, uint64_t activity, Clock::time_point now);

  // Drops bookkeeping of keys not seen since the previous call (deleted by
  // the caller, or gone from the map); call once per collection.
  void end_round();

  size_t tracked() const { return keys_.size(); }

 private:
  struct Entry {
    uint64_t activity = 0;
    Clock::time_point changed;
    uint64_t round = 0;
  };
  Clock::duration ttl_;
  uint64_t round_ = 1;
  std::unordered_map<std::string, Entry> keys_;
};

}  // namespace kscope
