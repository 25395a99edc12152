#include "common/regex_limits.h"

#include <cctype>

namespace kscope {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string unsafe_regex_number(std::string_view re, RegexSyntax syntax) {
  constexpr unsigned kMaxRepeat = 1000;
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\') {
      if (i + 1 < re.size() && is_digit(re[i + 1])) return "backreferences (\\N) are not supported";
      ++i;  // the escaped character is literal
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      // POSIX: a ']' right after '[' or '[^' is a member; ECMAScript: it ends the class.
      if (syntax == RegexSyntax::kPosixExtended) {
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

}  // namespace kscope
