// Which process listens on a TCP port of this host, for the service map: a
// client's server_address:server_port names a local process when the
// address is this host's (loopback or an interface's) and a socket listens
// there. Other network namespaces (containers) count too: a namespace's
// listeners serve the addresses it owns (host/netns_addresses.h), read
// through one of its processes' /proc/<pid>/net; loopback is kscope's own
// namespace's only (a client's namespace is not known from its edge).
// From /proc/net/tcp{,6} (listening sockets and their inodes) and
// /proc/<pid>/fd (which process holds each inode; the lines are read by the
// l7 probe's parser, probes/l7_preexisting.h), bounded: at most
// kMaxListeners sockets, kMaxProcesses processes and kMaxFdsPerProcess fds
// each are looked at; what is past a cap stays unresolved, never guessed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kscope {

inline constexpr size_t kMaxListeners = 16384;
inline constexpr size_t kMaxProcesses = 65536;
inline constexpr size_t kMaxFdsPerProcess = 65536;
inline constexpr size_t kMaxNamespaces = 1024;

struct ListeningSocket {
  std::array<uint8_t, 16> address{};  // IPv6 form, IPv4-mapped for tcp
  uint16_t port = 0;
  uint64_t inode = 0;
};

// The listening sockets (state 0A) of one /proc/net/tcp or tcp6 text.
std::vector<ListeningSocket> parse_listening_sockets(std::string_view text);

struct Listener {
  ListeningSocket socket;
  uint32_t pid = 0;  // 0: no process found holding it
  std::string comm;
};

// Another network namespace's listeners and the addresses it owns.
struct NamespaceListeners {
  std::vector<Listener> listeners;
  std::vector<std::array<uint8_t, 16>> addresses;
};

class ListenerIndex {
 public:
  // Reads the host's listening sockets and their processes now.
  static ListenerIndex read(const std::string& proc_root = "/proc");
  // From parts (tests).
  ListenerIndex(std::vector<Listener> listeners, std::vector<std::array<uint8_t, 16>> local_addresses,
                std::vector<NamespaceListeners> others = {})
      : listeners_(std::move(listeners)), local_(std::move(local_addresses)), others_(std::move(others)) {}

  // The listener that serves `address` ("127.0.0.1", "::1", an address of
  // this host) on `port`: one bound to it or to the wildcard. Nullopt for a
  // remote address, an unknown one, or no listener.
  std::optional<Listener> serving(std::string_view address, uint16_t port) const;

 private:
  bool is_local(const std::array<uint8_t, 16>& a) const;

  std::vector<Listener> listeners_;
  std::vector<std::array<uint8_t, 16>> local_;  // the interfaces' addresses, IPv6 form
  std::vector<NamespaceListeners> others_;
};

}  // namespace kscope
