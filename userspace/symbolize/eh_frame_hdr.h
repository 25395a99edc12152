// Function starts from .eh_frame_hdr, for binaries without symbols for
// every function: Debian strips .symtab, so a static function is in no
// symbol table, yet its unwind entry (FDE) is indexed by its first address
// in .eh_frame_hdr's binary search table. With those starts a sample in
// such a function is named by where the function begins ("nginx+0x4f2a0"),
// the same for every address in it, instead of by its own address.
//
// Only the table encoding linkers emit (GNU ld, gold, lld, mold: signed
// 4-byte values relative to the section, DW_EH_PE_datarel|sdata4) is read;
// any other, or a table that does not fit the section, gives no starts.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace kscope {

// At most this many starts are kept from one file (the largest binaries
// have a few hundred thousand functions).
inline constexpr size_t kMaxFunctionStarts = 4u << 20;

// `section`: the bytes of .eh_frame_hdr; `section_vaddr`: its sh_addr.
// Returns the function starts (ELF virtual addresses), sorted, unique.
std::vector<uint64_t> eh_frame_hdr_function_starts(std::string_view section, uint64_t section_vaddr);

}  // namespace kscope
