// Small parsing helpers shared by the /proc and perf map readers, which all
// read untrusted lines of hex numbers and names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kscope {

// A hex number with an optional 0x prefix and nothing else; nullopt when empty,
// not hex, or more than 64 bits.
std::optional<uint64_t> parse_hex(std::string_view text);

// Splits off the text up to the first run of spaces/tabs and returns it;
// `rest` is left after that run. Empty when `rest` is empty.
std::string_view next_field(std::string_view& rest);

// Calls fn(line) for each '\n'-separated line, the last one even without '\n'.
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    fn(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// "0x1f" form, lower case.
std::string hex_string(uint64_t value);

}  // namespace kscope
