#include "symbolize/demangle.h"

#include <cxxabi.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <utility>

namespace kscope {

namespace {

// Real C++ names reach a few kB with templates; past this the input is more
// likely to be hostile than useful.
constexpr size_t kMaxMangledLength = 4096;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Rust legacy symbols end in "::h" and 16 hex digits once demangled.
bool strip_rust_hash(std::string& name) {
  constexpr size_t kHashLength = 3 + 16;
  if (name.size() <= kHashLength) return false;
  std::string_view tail(name.data() + name.size() - kHashLength, kHashLength);
  if (!tail.starts_with("::h")) return false;
  for (char c : tail.substr(3)) {
    if (!is_hex(c)) return false;
  }
  name.resize(name.size() - kHashLength);
  return true;
}

std::string decode_rust_escapes(const std::string& in) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kEscapes{{
      {"$SP$", "@"},
      {"$BP$", "*"},
      {"$RF$", "&"},
      {"$LT$", "<"},
      {"$GT$", ">"},
      {"$LP$", "("},
      {"$RP$", ")"},
      {"$C$", ","},
      {"$u7e$", "~"},
      {"$u20$", " "},
      {"$u27$", "'"},
      {"$u5b$", "["},
      {"$u5d$", "]"},
      {"$u7b$", "{"},
      {"$u7d$", "}"},
  }};
  std::string out;
  out.reserve(in.size());
  std::string_view rest = in;
  while (!rest.empty()) {
    // rustc prefixes a path component that starts with an escape with '_'.
    bool component_start = out.empty() || out.ends_with("::");
    if (component_start && rest.starts_with("_$")) rest.remove_prefix(1);
    if (rest.starts_with("..")) {
      out += "::";
      rest.remove_prefix(2);
      continue;
    }
    bool matched = false;
    if (rest.front() == '$') {
      for (auto [from, to] : kEscapes) {
        if (rest.starts_with(from)) {
          out += to;
          rest.remove_prefix(from.size());
          matched = true;
          break;
        }
      }
    }
    if (!matched) {
      out += rest.front();
      rest.remove_prefix(1);
    }
  }
  return out;
}

}  // namespace

std::string demangle(std::string_view name) {
  if (name.size() < 3 || name.size() > kMaxMangledLength || !name.starts_with("_Z")) {
    return std::string(name);
  }
  std::string mangled(name);
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(
      abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), &std::free);
  if (status != 0 || !out) return mangled;
  std::string result(out.get());
  if (strip_rust_hash(result)) return decode_rust_escapes(result);
  return result;
}

}  // namespace kscope
