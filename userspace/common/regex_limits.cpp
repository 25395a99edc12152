#include "common/regex_limits.h"

#include <cctype>

namespace kscope {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// libstdc++ overflows a long from 20 digits on (19 above 9.2e18). Whatever
// the scan below gets wrong about where a count or a backreference starts, a
// run this long is refused wherever it stands, so no pattern reaches that
// multiplication.
constexpr size_t kMaxDigitRun = 18;

std::string long_digit_run(std::string_view re) {
  size_t run = 0;
  for (char c : re) {
    run = is_digit(c) ? run + 1 : 0;
    if (run > kMaxDigitRun) return "a number of more than 18 digits";
  }
  return {};
}

// How many characters after the backslash at re[i] its escape takes, as
// libstdc++'s scanner reads it outside a bracket (ECMAScript also inside one).
// ECMAScript "\cX" takes X whatever it is: "\c[" is a control character, not
// the start of a class (the second fuzzer find).
size_t escape_length(std::string_view re, size_t i, RegexSyntax syntax) {
  if (syntax == RegexSyntax::kEcmaScript && i + 1 < re.size() && re[i + 1] == 'c') return 2;
  return 1;
}

// The counts and backreferences as libstdc++'s scanner finds them.
std::string unsafe_count_or_backreference(std::string_view re, RegexSyntax syntax) {
  constexpr unsigned kMaxRepeat = 1000;
  const bool posix = syntax == RegexSyntax::kPosixExtended;
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    // POSIX: a backslash in a class is itself a member, so "[\]" is a whole
    // class and a count may follow it.
    if (c == '\\' && !(posix && in_class)) {
      if (i + 1 < re.size() && is_digit(re[i + 1])) return "backreferences (\\N) are not supported";
      i += escape_length(re, i, syntax);
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      // POSIX: a ']' right after '[' or '[^' is a member; ECMAScript: it ends the class.
      if (posix) {
        if (i + 1 < re.size() && re[i + 1] == '^') ++i;
        if (i + 1 < re.size() && re[i + 1] == ']') ++i;
      }
      continue;
    }
    if (c != '{') continue;
    // {N}, {N,} or {N,M}: each number at most kMaxRepeat.
    for (size_t j = i + 1; j < re.size() && re[j] != '}'; ++j) {
      if (re[j] == ',') continue;
      if (!is_digit(re[j])) break;  // not a count: std::regex decides
      unsigned n = 0;
      for (; j < re.size() && is_digit(re[j]); ++j) {
        n = n * 10 + static_cast<unsigned>(re[j] - '0');
        if (n > kMaxRepeat) return "repetition count above 1000";
      }
      --j;
    }
  }
  return {};
}

}  // namespace

std::string unsafe_regex_number(std::string_view re, RegexSyntax syntax) {
  if (auto why = unsafe_count_or_backreference(re, syntax); !why.empty()) return why;
  return long_digit_run(re);
}

}  // namespace kscope
