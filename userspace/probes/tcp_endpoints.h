// The endpoint cap of kscope_tcp_retransmits_total: remote endpoints get
// their own series in the order they first retransmit, up to a cap; later
// ones are counted under remote_addr="other", remote_port="other". The
// choice is sticky so every series stays a monotonic counter.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/snapshot.h"

namespace kscope {

struct RetransmitCount {
  std::string state;
  std::string addr;  // "" for the kernel's own overflow key
  uint16_t port = 0;
  bool other = false;  // the kernel map was full: endpoint unknown
  uint64_t segments = 0;
};

class EndpointCap {
 public:
  explicit EndpointCap(size_t max_endpoints) : max_(max_endpoints) {}

  // Series labelled {state, remote_addr, remote_port}, one per state and
  // kept endpoint, plus "other" per state; counts summed.
  std::vector<Series> series(const std::vector<RetransmitCount>& counts);

 private:
  size_t max_;
  std::set<std::pair<std::string, uint16_t>> kept_;
};

}  // namespace kscope
