#include "query/label_matcher.h"

#include <gtest/gtest.h>

#include <chrono>

#include "query/selector.h"

namespace kscope {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(Selector, ParsesAndRejects) {
  std::string name;
  auto m = parse_selector(R"(kscope_x{a="1", b!="2",c=~"x.*",d!~'y'})", &name);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(name, "kscope_x");
  ASSERT_EQ(m->size(), 4u);
  EXPECT_TRUE(matches_all(*m, Pairs{{"a", "1"}, {"b", "3"}, {"c", "xyz"}, {"d", "z"}}));
  EXPECT_FALSE(matches_all(*m, Pairs{{"a", "1"}, {"b", "2"}, {"c", "xyz"}}));
  EXPECT_TRUE(parse_selector("")->empty());
  EXPECT_TRUE(parse_selector("{}")->empty());
  for (const char* bad : {"{a}", "{a=1}", "{a=\"1\"", "{=\"x\"}", "{a=~\"(\"}", "{a=\"1\"} junk", "name"}) {
    EXPECT_FALSE(parse_selector(bad).ok()) << bad;
  }
  EXPECT_FALSE(parse_selector("{a=~\"" + std::string(LabelMatcher::kMaxRegexLength + 1, 'x') + "\"}").ok());
  // What RE2 refuses, as Prometheus does: backreferences, counts over 1000.
  // (In a quoted value `\\` is one backslash.)
  for (const char* bad : {R"({a=~"x{1001}"})", R"({a=~"x{2,1001}"})", R"({a=~"(a)\\1"})", R"({a=~"a)|(b"})"}) {
    auto r = parse_selector(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message().find("invalid regex"), std::string::npos) << r.error().message();
    }
  }
  for (const char* good : {R"({a=~"x{2,1000}"})", R"({a=~"[{99999}]+"})", R"({a=~"\\{99999\\}"})"}) {
    EXPECT_TRUE(parse_selector(good).ok()) << good;
  }
  // A count too long to be a number is literal text to RE2 (std::regex
  // multiplied its digits into a long: undefined behaviour the fuzzer found).
  auto literal = parse_selector(R"({a=~"x{1111111111111111111}"})");
  ASSERT_TRUE(literal.ok());
  EXPECT_TRUE(matches_all(*literal, Pairs{{"a", "x{1111111111111111111}"}}));
  EXPECT_FALSE(matches_all(*literal, Pairs{{"a", "xx"}}));
  // A quote inside a value.
  auto q = parse_selector(R"({comm="a\"b"})");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)[0].value(), "a\"b");
}

TEST(LabelMatcher, RegexesAreFullyAnchoredAsInPrometheus) {
  auto m = LabelMatcher::make("syscall", LabelMatcher::Op::kRegex, "read|write");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->matches_value("read"));
  EXPECT_TRUE(m->matches_value("write"));
  EXPECT_FALSE(m->matches_value("reader"));
  EXPECT_FALSE(m->matches_value("pread"));
  auto n = LabelMatcher::make("syscall", LabelMatcher::Op::kNotRegex, "read|write");
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->matches_value("reader"));
  EXPECT_FALSE(n->matches_value("write"));
  // `.` crosses a newline (a process may put one in its name).
  auto dot = LabelMatcher::make("comm", LabelMatcher::Op::kRegex, "a.*b");
  ASSERT_TRUE(dot.ok());
  EXPECT_TRUE(dot->matches_value("a\nb"));
}

TEST(LabelMatcher, AMissingLabelReadsAsEmpty) {
  auto empty = LabelMatcher::make("cgroup", LabelMatcher::Op::kEqual, "");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->matches_label(nullptr));
  auto any = LabelMatcher::make("cgroup", LabelMatcher::Op::kRegex, ".+");
  ASSERT_TRUE(any.ok());
  EXPECT_FALSE(any->matches_label(nullptr));
  EXPECT_TRUE(matches_all({*any}, Pairs{{"cgroup", "/x"}}));
  EXPECT_FALSE(matches_all({*any}, Pairs{{"comm", "x"}}));
}

TEST(LabelMatcher, ConfigSpecsNameTheOperator) {
  EXPECT_EQ(LabelMatcher::parse_spec("a", "x")->op(), LabelMatcher::Op::kEqual);
  EXPECT_EQ(LabelMatcher::parse_spec("a", "!=x")->op(), LabelMatcher::Op::kNotEqual);
  EXPECT_EQ(LabelMatcher::parse_spec("a", "=~x")->op(), LabelMatcher::Op::kRegex);
  EXPECT_EQ(LabelMatcher::parse_spec("a", "!~x")->op(), LabelMatcher::Op::kNotRegex);
  EXPECT_EQ(LabelMatcher::parse_spec("a", "!~x")->value(), "x");
  EXPECT_FALSE(LabelMatcher::parse_spec("a", "=~(").ok());
}

// Hostile values and patterns: invalid UTF-8 is matched byte-safe, and a
// pattern that backtracking engines take exponential time on stays linear.
TEST(LabelMatcher, HostileTextMatchesInLinearTime) {
  auto bad_utf8 = LabelMatcher::make("comm", LabelMatcher::Op::kRegex, "x.*");
  ASSERT_TRUE(bad_utf8.ok());
  EXPECT_FALSE(bad_utf8->matches_value(std::string("\xff\xfe", 2)));
  auto eq = LabelMatcher::make("comm", LabelMatcher::Op::kEqual, std::string("\xff\xfe", 2));
  ASSERT_TRUE(eq.ok());
  EXPECT_TRUE(eq->matches_value(std::string("\xff\xfe", 2)));

  auto evil = LabelMatcher::make("comm", LabelMatcher::Op::kRegex, "(a+)+b");
  ASSERT_TRUE(evil.ok());
  const std::string text(100000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(evil->matches_value(text));
  // std::regex recursed per character here and would not finish; RE2 takes
  // milliseconds. The bound is loose for sanitizer builds.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace kscope
