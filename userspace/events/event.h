// Events from the kernel in C++ form: decoded from a probe's ring-buffer
// record (kscope/abi/events.h), with stack addresses attached by the
// reader. Plain values, cheap to share between threads once built.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"

namespace kscope {

struct SlowSyscallEvent {
  uint32_t pid = 0;
  uint32_t tid = 0;
  uint32_t nr = 0;
  std::string syscall;  // name for nr on this architecture
  uint64_t duration_ns = 0;
  int64_t ret = 0;
  bool idle_wait = false;  // probes/idle_waits.h
  std::string comm;  // raw bytes from the kernel: escape before output
  int32_t user_stack_id = -1;
  int32_t kernel_stack_id = -1;
  // Filled by the reader from the probe's stack map; empty when the id was
  // negative or the stack could not be read.
  std::vector<uint64_t> user_stack;
  std::vector<uint64_t> kernel_stack;
};

enum class TcpEventKind : uint32_t {
  kRetransmit = 1,
  kResetSent = 2,
  kResetReceived = 3,
  kConnect = 4,
  kConnectFailed = 5,
};

struct TcpEvent {
  TcpEventKind kind = TcpEventKind::kRetransmit;
  uint32_t pid = 0;  // connects only
  std::string comm;  // connects only
  uint16_t family = 0;
  std::array<uint8_t, 16> saddr{};  // this host
  std::array<uint8_t, 16> daddr{};  // the peer
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint8_t state = 0;
  uint32_t segs = 0;  // retransmits: segments; resets sent: the kernel's reason code
  uint64_t latency_ns = 0;
};

enum class ExitEventKind : uint32_t {
  kOomKill = 1,  // the OOM killer chose this process (oom:mark_victim)
  kSignal = 2,   // the process ended by a fatal signal
};

struct ExitEvent {
  ExitEventKind kind = ExitEventKind::kSignal;
  uint32_t pid = 0;  // thread group id
  std::string comm;  // process name, raw bytes from the kernel: escape before output
  uint32_t signal = 0;
  int32_t exit_code = 0;  // signal exits: the wait(2) status
  bool core_dumped = false;
  bool oom_victim = false;  // a signal exit of a process the OOM killer chose
  int16_t oom_score_adj = 0;
  uint32_t uid = 0;  // OOM kills
  // OOM kills: the memory cgroup (v1 memory hierarchy on hybrid hosts);
  // signal exits: the cgroup v2 cgroup. The path is resolved when decoded,
  // "cgroup:<id>" when it is gone already; raw: escape before output.
  uint64_t cgroup_id = 0;
  std::string cgroup;
  // OOM kills, in bytes: the victim's memory when it was chosen, and its
  // memory cgroup's usage and limit (0: unlimited).
  uint64_t total_vm_bytes = 0;
  uint64_t anon_rss_bytes = 0;
  uint64_t file_rss_bytes = 0;
  uint64_t shmem_rss_bytes = 0;
  uint64_t cgroup_usage_bytes = 0;
  uint64_t cgroup_limit_bytes = 0;
};

// A request or database operation the request engines matched with its
// answer (agent/request_events.h builds them): not a kernel record, but it
// travels the same stream as the others. Strings are raw bytes from other
// processes: escape before output. The path never has its query string.
struct RequestEvent {
  std::string protocol;   // "http", "redis", "postgresql"
  bool server = false;    // seen inside the server (else the client)
  uint32_t pid = 0;       // thread group id
  std::string comm;       // the process's name when its connection opened
  std::string operation;  // HTTP method, or the database operation ("SELECT", "GET")
  std::string target;     // HTTP: the path; databases: the one table or key space named, or ""
  std::string route;      // HTTP: http_route
  std::string status;     // HTTP: the status code; databases: SQLSTATE or error prefix, "" on success
  bool error = false;     // 5xx for a server, 4xx or 5xx for a client (OTel); any database error
  bool tls = false;
  uint64_t duration_ns = 0;
  // The other end: IPv6 bytes (IPv4-mapped for IPv4); peer_port 0 when unknown.
  std::array<uint8_t, 16> peer{};
  uint16_t peer_port = 0;
};

struct Event {
  std::string probe;  // "syscalls", "tcp", "exits", "l7"
  uint64_t ts_ns = 0;  // CLOCK_MONOTONIC
  uint32_t cpu = 0;
  std::variant<SlowSyscallEvent, TcpEvent, ExitEvent, RequestEvent> body;
};

// Decodes one ring-buffer record. An error for a record whose type is
// unknown or whose size does not match its type (the reader counts these).
Result<Event> decode_event(std::string_view probe, const void* data, size_t size);

// "slow_syscall", "retransmit", "reset_sent", "reset_received", "connect",
// "connect_failed", "oom_kill", "signal_exit", "request".
std::string_view event_type_name(const Event& e);

}  // namespace kscope
