// Names of kernel values as probes, events and the API print them: signals,
// TCP states, IP addresses.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace kscope {

// "SIGSEGV", "SIGRTMIN+3"; "SIG<n>" for a number this libc does not name.
std::string signal_name(uint32_t sig);

// "ESTABLISHED", "SYN_SENT", ... ; "UNKNOWN_<n>" otherwise.
std::string tcp_state_name(uint8_t state);

// "10.0.0.1", "fd00::1"; IPv4-mapped IPv6 addresses print as IPv4, so one
// peer has one name whichever socket family reached it.
std::string format_ip(uint16_t family, const std::array<uint8_t, 16>& addr);

}  // namespace kscope
