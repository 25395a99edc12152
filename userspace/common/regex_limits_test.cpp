#include "common/regex_limits.h"

#include <gtest/gtest.h>

#include "signals/metric_query.h"

namespace kscope {
namespace {

TEST(RegexLimits, RefusesHugeCountsAndBackreferences) {
  for (auto syntax : {RegexSyntax::kEcmaScript, RegexSyntax::kPosixExtended}) {
    for (const char* bad : {"x{1111111111111111111}", "x{2,99999999999}", "x{1001}", "(a)\\1", "a|\\0123"}) {
      EXPECT_FALSE(unsafe_regex_number(bad, syntax).empty()) << bad;
    }
    for (const char* good : {"x{2,1000}", "x{0}", "[{99999}]+", "\\{99999\\}", "\\\\", "a{b}", "read|write"}) {
      EXPECT_EQ(unsafe_regex_number(good, syntax), "") << good;
    }
  }
  // POSIX: ']' first in a class is a member, so the class goes on to the next ']'.
  EXPECT_EQ(unsafe_regex_number("[]{99999}]", RegexSyntax::kPosixExtended), "");
  EXPECT_NE(unsafe_regex_number("[]{99999}]", RegexSyntax::kEcmaScript), "");
  // ECMAScript "\cX" takes X, so "\c[" opens no class (the fuzzer's second find).
  EXPECT_NE(unsafe_regex_number("\\c[x{99999}", RegexSyntax::kEcmaScript), "");
  EXPECT_EQ(unsafe_regex_number("\\c[x{99999}]", RegexSyntax::kPosixExtended), "");
  // POSIX: a backslash in a class is a member, so "[\]" is the whole class.
  EXPECT_NE(unsafe_regex_number("[\\]x{99999}", RegexSyntax::kPosixExtended), "");
  EXPECT_EQ(unsafe_regex_number("[\\]x{99999}]", RegexSyntax::kEcmaScript), "");
}

// Whatever the scan makes of the text around it, no number std::regex could
// overflow on gets through.
TEST(RegexLimits, RefusesLongDigitRunsAnywhere) {
  for (auto syntax : {RegexSyntax::kEcmaScript, RegexSyntax::kPosixExtended}) {
    for (const char* bad : {"[1234567890123456789]", "\\{1234567890123456789\\}", "a|1234567890123456789"}) {
      EXPECT_EQ(unsafe_regex_number(bad, syntax), "a number of more than 18 digits") << bad;
    }
    EXPECT_EQ(unsafe_regex_number("[0-9]{3}|123456789012345678", syntax), "");
  }
}

// Alert rule matchers (POSIX extended) go through the same check: one clear
// error, no undefined behaviour in std::regex.
TEST(RegexLimits, AlertMatchersAreChecked) {
  auto m = LabelMatcher::parse("comm", "=~x{99999999999999999999}");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("repetition count above 1000"), std::string::npos) << m.error().message();
  auto in_class = LabelMatcher::parse("comm", "=~[\\]{11111111111111111111}");
  ASSERT_FALSE(in_class.ok());
  EXPECT_NE(in_class.error().message().find("repetition count above 1000"), std::string::npos) << in_class.error().message();
  EXPECT_TRUE(LabelMatcher::parse("comm", "=~nginx|envoy{1,3}").ok());
}

}  // namespace
}  // namespace kscope
