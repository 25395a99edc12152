// Field and number helpers for the host's /proc files. The text is the
// kernel's, but a parser must still stop at a line cap and reject what does
// not fit its type (a number past 64 bits, a word where a number should be)
// instead of trusting it: the fuzzers feed them anything.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kscope::host {

// Lines read from one file at most; the rest are ignored (and said so).
inline constexpr size_t kMaxLines = 65536;

// Whole-field numbers; nullopt when empty, not a number or out of range.
std::optional<uint64_t> parse_u64(std::string_view text);
std::optional<int64_t> parse_i64(std::string_view text);
std::optional<double> parse_double(std::string_view text);

// Splits off the text up to the next run of spaces/tabs and returns it;
// `rest` is left after that run. Empty when `rest` holds only blanks.
std::string_view next_field(std::string_view& rest);

// Calls fn(line) for each '\n'-separated line, the last even without '\n',
// for at most `max_lines` lines. Returns false when lines were left unread.
template <class Fn>
bool for_each_line(std::string_view text, size_t max_lines, Fn&& fn) {
  size_t n = 0;
  while (!text.empty()) {
    if (n++ == max_lines) return false;
    size_t nl = text.find('\n');
    fn(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return true;
}

}  // namespace kscope::host
