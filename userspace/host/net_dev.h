// /proc/net/dev: bytes, packets, errors and drops per network interface, in
// the network namespace kscope runs in (the host's for the agent).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kscope::host {

// Container hosts have a veth per container; the rest are counted in `dropped`.
inline constexpr size_t kMaxInterfaces = 256;

// The 16 columns, in the file's order; the names are node_exporter's
// node_network_<name>_total.
inline constexpr std::array<std::string_view, 16> kNetDevColumns = {
    "receive_bytes",  "receive_packets",  "receive_errs",  "receive_drop",  "receive_fifo",  "receive_frame",
    "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets", "transmit_errs",
    "transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed"};

struct NetDev {
  std::string name;
  std::array<uint64_t, kNetDevColumns.size()> v{};
};

struct NetDevs {
  std::vector<NetDev> interfaces;
  size_t dropped = 0;
};

// "  eth0: 1 2 ..." lines with all 16 numbers; the two headers and anything
// else are skipped.
NetDevs parse_net_dev(std::string_view text);

}  // namespace kscope::host
