// The addresses a network namespace owns, read from its /proc/<pid>/net
// files, so that a namespace kscope does not run in (a container's) can be
// asked which addresses are its own without entering it: the IPv4 ones from
// fib_trie's "/32 host LOCAL" routes, the IPv6 ones from if_inet6. Both in
// IPv6 form, IPv4-mapped (::ffff:a.b.c.d) for IPv4. Bounded: at most
// kMaxNamespaceAddresses each.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kscope::host {

inline constexpr size_t kMaxNamespaceAddresses = 4096;

using Address16 = std::array<uint8_t, 16>;

// /proc/<pid>/net/fib_trie: every address with a "/32 host LOCAL" line
// under it (fib_trie lists each twice, in the Main and Local tables: once
// each here).
std::vector<Address16> parse_fib_trie_local(std::string_view text);

// /proc/<pid>/net/if_inet6: the first field, 32 hex digits.
std::vector<Address16> parse_if_inet6(std::string_view text);

}  // namespace kscope::host
