// What the symbolizer knows about each process: its mappings and the symbol
// tables loaded for them, kept after the process exits so stacks read later
// still resolve. Least recently used entries go first; dead processes have
// their own, smaller bound so a host that forks a lot keeps memory flat.
// Not thread-safe: the Symbolizer serializes access.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "symbolize/elf_symbols.h"
#include "symbolize/perf_map.h"
#include "symbolize/proc_maps.h"

namespace kscope {

struct ProcessImage {
  pid_t pid = 0;
  // From /proc/PID/stat: tells a process from a later one with the same pid.
  uint64_t start_time = 0;
  bool alive = true;
  std::vector<MapEntry> maps;
  // Index-aligned with `maps`; nullptr is "not loaded" or "not ELF" as
  // `tried` says.
  std::vector<std::shared_ptr<const ElfSymbolTable>> tables;
  std::vector<bool> tried;

  struct Jit {
    std::shared_ptr<const PerfMap> map;
    off_t size = -1;  // of the file when loaded; -1 when never seen
    struct timespec mtime {};
    pid_t ns_pid = 0;  // names the file; 0 until read
    // The symbolize call that last looked at the file: it is stat'ed at
    // most once per call, however many JIT frames the stack has.
    uint64_t checked_in_call = 0;
  };
  Jit jit;
};

class ProcessCache {
 public:
  ProcessCache(size_t max_processes, size_t max_dead)
      : max_processes_(max_processes), max_dead_(max_dead) {}

  // The entry for `pid`, or nullptr; `touch` marks it most recently used.
  ProcessImage* find(pid_t pid, bool touch = true);
  // Adds or replaces the entry for image.pid; returns it.
  ProcessImage& put(ProcessImage image);
  void mark_dead(pid_t pid);
  void erase(pid_t pid);
  // Every entry, least recently used first (for sweeping).
  std::vector<pid_t> pids() const;

  size_t size() const { return lru_.size(); }
  size_t dead() const { return dead_; }

 private:
  void enforce_bounds();

  size_t max_processes_;
  size_t max_dead_;
  size_t dead_ = 0;
  std::list<ProcessImage> lru_;  // front is most recent
  std::unordered_map<pid_t, std::list<ProcessImage>::iterator> index_;
};

}  // namespace kscope
