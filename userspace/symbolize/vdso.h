// The vDSO's symbols (clock_gettime and friends show up in many stacks).
// Every 64-bit process on the host maps the same vDSO image as this one, so
// it is read once from our own memory rather than from each process.
#pragma once

#include <cstdint>
#include <memory>

#include "symbolize/elf_symbols.h"

namespace kscope {

struct Vdso {
  std::shared_ptr<const ElfSymbolTable> table;
  uint64_t size = 0;  // of our mapping: a process whose [vdso] differs is not using this image
};

// nullptr table when this process has no vDSO or it does not parse.
Vdso load_own_vdso();

}  // namespace kscope
