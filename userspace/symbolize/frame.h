// One symbolized stack frame: what the flame graph, trace stream and pprof
// writers need, as a plain value.
#pragma once

#include <cstdint>
#include <string>

namespace kscope {

enum class FrameKind { kKernel, kUser, kJit };

struct Frame {
  uint64_t address = 0;
  // Demangled function name when `resolved`; otherwise a fallback that still
  // says where the address was: "nginx+0x4f2a0", the start of the function
  // holding it when only .eh_frame_hdr knows it (a stripped binary's static
  // function; `offset` is then from that start), else "libc.so.6+0x1234"
  // (module-relative: the ELF virtual address when the file could be read,
  // else the file offset),
  // "[kernel.kallsyms]+0x<address>", or "[unknown]".
  std::string function;
  bool resolved = false;
  uint64_t offset = 0;  // address minus the function's start, when resolved

  // The file as the process saw it ("/usr/lib/x86_64-linux-gnu/libc.so.6"),
  // "[kernel.kallsyms]", "[<kernel module>]", "[vdso]", the perf map for JIT
  // frames, or empty when the address is in no mapping.
  std::string module;
  std::string build_id;  // lower-case hex, empty if unknown

  // The mapping the address fell in (user frames; zero otherwise), as pprof's
  // Mapping wants it: [map_start, map_limit) mapped from file offset map_offset.
  uint64_t map_start = 0;
  uint64_t map_limit = 0;
  uint64_t map_offset = 0;

  FrameKind kind = FrameKind::kUser;
};

}  // namespace kscope
