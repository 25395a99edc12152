// The share of socket bytes the request engines could read as a protocol
// they know (kscope_l7_coverage_ratio): over each collection interval, the
// bytes routed to a recognised protocol divided by the bytes the kernel
// side saw moved on tracked connections. What lowers it: unrecognised
// protocols (HTTP/2 before its engine, SSH, a proprietary RPC), TLS whose
// plaintext is not seen, records lost before they reached the engines.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

namespace kscope {

class L7Coverage {
 public:
  // recognised, seen: running totals. Returns the ratio over the bytes since
  // the previous call, or nothing when no byte moved. The engines read the
  // ring after the kernel counted, so a record still in the ring at one
  // call is recognised in the next interval: the ratio is clamped to [0, 1].
  std::optional<double> update(uint64_t recognised, uint64_t seen) {
    uint64_t d_seen = seen >= seen_ ? seen - seen_ : 0;
    uint64_t d_recognised = recognised >= recognised_ ? recognised - recognised_ : 0;
    seen_ = seen;
    recognised_ = recognised;
    if (d_seen == 0) return std::nullopt;
    return std::clamp(double(d_recognised) / double(d_seen), 0.0, 1.0);
  }

 private:
  uint64_t recognised_ = 0;
  uint64_t seen_ = 0;
};

}  // namespace kscope
