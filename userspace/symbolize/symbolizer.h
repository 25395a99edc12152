// Stack addresses to function names, for the kernel and for any process on
// the host, containers included.
//
//   Symbolizer sym;
//   sym.remember(pid);                       // optional: while pid is alive
//   auto frames = sym.symbolize_user(pid, user_ips);
//   auto kframes = sym.symbolize_kernel(kernel_ips);
//
// Kernel addresses resolve through /proc/kallsyms, read once (call
// reload_kernel_symbols() after modules change). User addresses resolve
// through /proc/PID/maps and the ELF symbols of each mapped file (.symtab,
// .dynsym, separate debug files by build-id or .gnu_debuglink), the vDSO,
// and /tmp/perf-PID.map for JIT code. Each file is opened as the process
// sees it: through /proc/PID/root for a process in another mount namespace
// (a container), by the host path maps shows for a chrooted one, and through
// /proc/PID/map_files for deleted or replaced files (root only); a candidate
// counts only if it is the mapped inode.
//
// Caching: each binary is parsed once (keyed by build-id, else dev/inode)
// and shared. Each process's maps are read on first use and re-read when an
// address falls outside them. When a process has exited, what was learned
// while it lived is used: remember(pid) snapshots its maps and loads every
// executable mapping's symbols eagerly, which a stack read after exit needs.
// Dead processes are kept up to max_dead_processes (least recently used
// evicted), all processes up to max_processes.
//
// Every answer is a Frame, never an error: what cannot be named falls back to
// "module+0xoffset" or "[unknown]".
//
// Thread safety: all methods may be called from any thread; one internal
// mutex serializes them, so callers on hot paths should batch addresses.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "symbolize/frame.h"

namespace kscope {

struct SymbolizerOptions {
  std::string proc_root = "/proc";  // tests point this at a fixture tree
  std::string kallsyms_path = "/proc/kallsyms";
  std::vector<std::string> debug_dirs{"/usr/lib/debug"};
  size_t max_processes = 8192;
  size_t max_dead_processes = 256;
  size_t max_binaries = 2048;
  bool demangle = true;
};

struct SymbolizerStats {
  size_t processes = 0;
  size_t dead_processes = 0;
  size_t binaries = 0;
  uint64_t binaries_parsed = 0;
  size_t kernel_symbols = 0;
};

class Symbolizer {
 public:
  explicit Symbolizer(SymbolizerOptions options = {});
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  std::vector<Frame> symbolize_kernel(std::span<const uint64_t> addresses);
  Frame symbolize_kernel(uint64_t address);

  std::vector<Frame> symbolize_user(pid_t pid, std::span<const uint64_t> addresses);
  Frame symbolize_user(pid_t pid, uint64_t address);

  // Snapshots pid's maps now and loads the symbols of its executable
  // mappings and its perf map, so it still symbolizes after it exits.
  // Fails when the process is already gone (or was never there).
  Status remember(pid_t pid);
  void forget(pid_t pid);
  // Marks processes that exited (or whose pid was reused) as dead, which
  // puts them under the dead-process bound. Call once per collection cycle.
  void sweep();

  Status reload_kernel_symbols();
  SymbolizerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kscope
