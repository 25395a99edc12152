// What the request engine labels a process's requests with
// (requests::ProcessLabels): its service, the process's comm, and its
// breakdown value (comm, its cgroup v2 path, or nothing), read from /proc.
//
// The l7 probe's records carry no process name, and records are read up to
// a poll interval after the calls: a short-lived client (curl) may be gone
// by the time its request is matched with its response. So labels are read
// as early as kscope hears of a process, when one of its connections opens,
// and kept while the process has connections open (their data is what
// makes requests); the last close forgets them, so an exec'd process (the
// kernel closes its sockets) or a reused pid is read afresh.
//
// Not thread-safe (the request pipeline serialises it with the engine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/breakdown.h"

#include "requests/http_engine.h"

namespace kscope {

// Labels of processes that could not be read (gone before kscope read them).
inline constexpr const char* kUnknownProcess = "unknown";

class ProcessLabelCache {
 public:
  // proc_root: where /proc is (tests).
  explicit ProcessLabelCache(Breakdown breakdown, std::string proc_root = "/proc", size_t max_processes = 65536)
      : breakdown_(breakdown), proc_root_(std::move(proc_root)), max_(max_processes) {}

  // A connection of `tgid` opened / closed. `parent_tgid` (not 0): a fork
  // handed the connection from that process to `tgid`, whose labels are
  // its parent's when it is gone already (a fork keeps comm and cgroup,
  // and its connections stop being followed at exec). `comm`: the name the
  // kernel saw at the open, the service (and a comm breakdown) of a
  // process gone before /proc was read (curl exits within milliseconds).
  void on_open(uint32_t tgid, uint32_t parent_tgid = 0, std::string_view comm = {});
  void on_close(uint32_t tgid);

  // The labels of `tgid`: the cached ones while it has connections open,
  // else read now.
  requests::ProcessLabels labels(uint32_t tgid);

  // Processes held.
  size_t cached() const { return cache_.size(); }

 private:
  struct Entry {
    requests::ProcessLabels labels;
    uint32_t open = 0;  // its connections open
  };
  requests::ProcessLabels read(uint32_t tgid) const;

  Breakdown breakdown_;
  std::string proc_root_;
  size_t max_;
  std::unordered_map<uint32_t, Entry> cache_;
};

}  // namespace kscope
