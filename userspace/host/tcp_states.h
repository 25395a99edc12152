// TCP connection states counted from /proc/net/tcp and /proc/net/tcp6 (the
// "st" column, the kernel's TCP_* numbers in hex), named as node_exporter's
// node_tcp_connection_states{state}.
//
// A busy host has hundreds of thousands of sockets: the files are read in
// chunks through a counter that keeps only a partial line, and at most
// kMaxTcpSockets lines of each file are counted (the rest are reported as
// skipped, never guessed).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kscope::host {

inline constexpr size_t kMaxTcpSockets = 262144;  // per file

// Index = the kernel's state number (TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11).
inline constexpr std::array<std::string_view, 12> kTcpStateNames = {
    "unknown",   "established", "syn_sent", "syn_recv",   "fin_wait1", "fin_wait2",
    "time_wait", "close",       "close_wait", "last_ack", "listen",    "closing"};

class TcpStateCounter {
 public:
  // Any slicing of a file's text: lines may span calls.
  void feed(std::string_view chunk);
  // The end of one file (a last line without '\n' is counted); ready for the next.
  void finish_file();

  const std::array<uint64_t, kTcpStateNames.size()>& counts() const { return counts_; }
  uint64_t skipped() const { return skipped_; }  // sockets past the cap, and lines that did not parse

 private:
  void line(std::string_view l);

  std::array<uint64_t, kTcpStateNames.size()> counts_{};
  uint64_t skipped_ = 0;
  size_t lines_ = 0;  // of the current file, its header included
  std::string partial_;
};

// One file's whole text (tests, fuzzing).
TcpStateCounter count_tcp_states(std::string_view text);

}  // namespace kscope::host
