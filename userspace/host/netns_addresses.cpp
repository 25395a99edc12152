#include "host/netns_addresses.h"

#include <algorithm>

#include "host/text_fields.h"

namespace kscope::host {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "a.b.c.d", each part 0..255 with 1 to 3 digits.
bool parse_dotted_quad(std::string_view s, Address16& out) {
  out = {};
  out[10] = 0xff;
  out[11] = 0xff;
  for (int part = 0; part < 4; ++part) {
    size_t n = 0;
    unsigned v = 0;
    while (n < s.size() && n < 4 && s[n] >= '0' && s[n] <= '9') v = v * 10 + unsigned(s[n++] - '0');
    if (n == 0 || n > 3 || v > 255) return false;
    out[12 + part] = uint8_t(v);
    s.remove_prefix(n);
    if (part < 3) {
      if (s.empty() || s.front() != '.') return false;
      s.remove_prefix(1);
    }
  }
  return s.empty();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void add_unique(std::vector<Address16>& out, const Address16& a) {
  if (out.size() < kMaxNamespaceAddresses && std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
}

}  // namespace

std::vector<Address16> parse_fib_trie_local(std::string_view text) {
  std::vector<Address16> out;
  Address16 last{};
  bool have_last = false;
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    line = trim(line);
    if (line.substr(0, 4) == "|-- ") {
      have_last = parse_dotted_quad(line.substr(4), last);
    } else if (have_last && line == "/32 host LOCAL") {
      add_unique(out, last);
    } else if (line.substr(0, 4) == "+-- ") {
      have_last = false;  // a subtree: the leaf above is done
    }
  });
  return out;
}

std::vector<Address16> parse_if_inet6(std::string_view text) {
  std::vector<Address16> out;
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    std::string_view hex = next_field(line);
    if (hex.size() != 32) return;
    Address16 a{};
    for (size_t i = 0; i < 16; ++i) {
      int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return;
      a[i] = uint8_t(hi << 4 | lo);
    }
    add_unique(out, a);
  });
  return out;
}

}  // namespace kscope::host
