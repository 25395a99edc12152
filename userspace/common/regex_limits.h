// The regular expressions kscope takes from others (query selectors, alert
// rule matchers) are checked here before std::regex sees them.
#pragma once

#include <string>
#include <string_view>

namespace kscope {

enum class RegexSyntax { kEcmaScript, kPosixExtended };

// What std::regex would read as a number without an overflow check: a
// backreference (\N) or a repetition count ({N,M}). libstdc++ multiplies the
// digits into a long, so a 20-digit count is undefined behaviour (the query
// fuzzer's find). As in Prometheus (RE2), backreferences are refused and a
// count may be at most 1000. Returns what is wrong, or empty.
std::string unsafe_regex_number(std::string_view re, RegexSyntax syntax);

}  // namespace kscope
