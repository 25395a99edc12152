#include "probes/kernel_names.h"

#include <arpa/inet.h>

#include <csignal>
#include <cstring>

namespace kscope {

std::string signal_name(uint32_t sig) {
  if (sig >= static_cast<uint32_t>(SIGRTMIN) && sig <= static_cast<uint32_t>(SIGRTMAX)) {
    uint32_t n = sig - static_cast<uint32_t>(SIGRTMIN);
    return n == 0 ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(n);
  }
  const char* abbrev = sig < 256 ? sigabbrev_np(static_cast<int>(sig)) : nullptr;
  if (abbrev != nullptr) return std::string("SIG") + abbrev;
  return "SIG" + std::to_string(sig);
}

std::string tcp_state_name(uint8_t state) {
  // include/net/tcp_states.h
  static const char* const kNames[] = {"",          "ESTABLISHED", "SYN_SENT", "SYN_RECV",   "FIN_WAIT1",
                                       "FIN_WAIT2", "TIME_WAIT",   "CLOSE",    "CLOSE_WAIT", "LAST_ACK",
                                       "LISTEN",    "CLOSING",     "NEW_SYN_RECV", "BOUND_INACTIVE"};
  if (state >= 1 && state < sizeof(kNames) / sizeof(kNames[0])) return kNames[state];
  return "UNKNOWN_" + std::to_string(state);
}

std::string format_ip(uint16_t family, const std::array<uint8_t, 16>& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (family == AF_INET6 && std::memcmp(addr.data(), kMapped, 12) == 0) {
    inet_ntop(AF_INET, addr.data() + 12, buf, sizeof(buf));
  } else if (family == AF_INET6) {
    inet_ntop(AF_INET6, addr.data(), buf, sizeof(buf));
  } else if (family == AF_INET) {
    inet_ntop(AF_INET, addr.data(), buf, sizeof(buf));
  } else {
    return "family" + std::to_string(family);
  }
  return buf;
}

}  // namespace kscope
