// Readable names for C++ and Rust symbols.
#pragma once

#include <string>
#include <string_view>

namespace kscope {

// C++ (Itanium ABI, "_Z...") through abi::__cxa_demangle; Rust legacy
// mangling (also "_ZN...17h<hash>E") the same way, then with the hash dropped
// and the "$LT$"-style escapes decoded. Anything else, including Rust v0
// ("_R...") and names the demangler rejects, comes back unchanged. Names are
// untrusted: very long ones are not demangled, because the demangler recurses.
std::string demangle(std::string_view name);

}  // namespace kscope
