// Syscall numbers to names for this architecture, from a table generated at
// build time from the system headers (scripts/gen_syscall_table.sh).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kscope {

// "read" for 0 on x86_64; "syscall_NNN" for numbers the headers don't name.
std::string syscall_name(uint32_t nr);

std::optional<uint32_t> syscall_number(std::string_view name);

// Syscalls whose positive return value is a byte count (read/write families).
bool syscall_returns_bytes(std::string_view name);

// "ENOENT" for 2; "E<number>" for unknown values.
std::string errno_name(uint32_t err);

}  // namespace kscope
