// TCP connections that were open before the l7 probe attached, found from
// /proc so the probe can pick them up instead of never seeing them (a
// database pool or an upstream keep-alive connection can live for days).
//
// For every process: the fds that are sockets (/proc/PID/fd/N ->
// "socket:[INODE]") whose inode is an ESTABLISHED connection in the
// process's own network namespace (/proc/PID/net/tcp and tcp6). Their role
// (accepted or connected) is not known from /proc and is never guessed: the
// request engine gets them with Role::kUnknown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "requests/socket_data.h"

namespace kscope {

// One line of /proc/net/tcp or /proc/net/tcp6; nullopt for the header and
// for anything that does not parse.
struct ProcNetTcpEntry {
  requests::SocketAddress local;
  requests::SocketAddress peer;
  uint8_t state = 0;  // the kernel's TCP_* (1: ESTABLISHED)
  uint64_t inode = 0;
};
std::optional<ProcNetTcpEntry> parse_proc_net_tcp_line(std::string_view line);

struct PreexistingSocket {
  uint32_t tgid = 0;
  uint32_t fd = 0;
  uint64_t inode = 0;
  requests::SocketAddress local;
  requests::SocketAddress peer;
};

struct PreexistingScan {
  std::vector<PreexistingSocket> sockets;
  uint64_t skipped = 0;  // past `max`, or /proc/net lines past the per-file cap
};

// Scans proc_root (/proc) for established TCP sockets of every process, or
// of only_tgid when it is not 0; at most `max` of them.
PreexistingScan find_established_sockets(const std::string& proc_root, uint32_t only_tgid, size_t max);

// Whether proc_root/TGID/fd/FD still names socket `inode`.
bool fd_names_socket(const std::string& proc_root, uint32_t tgid, uint32_t fd, uint64_t inode);

}  // namespace kscope
