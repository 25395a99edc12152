#include "common/escape.h"

#include <gtest/gtest.h>

namespace kscope {

TEST(Escape, PrometheusLabelEscapesQuoteBackslashNewline) {
  EXPECT_EQ(escape_prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Escape, InvalidUtf8IsReplaced) {
  EXPECT_EQ(sanitize_utf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(sanitize_utf8("\xC0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong NUL
  EXPECT_EQ(sanitize_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(Escape, ControlCharactersAreReplacedButNewlineKept) {
  EXPECT_EQ(sanitize_utf8(std::string("a\x01z", 3)), "a\xEF\xBF\xBDz");
  EXPECT_EQ(sanitize_utf8("x\ny"), "x\ny");
}

TEST(Escape, XmlEscapesMarkup) {
  EXPECT_EQ(escape_xml("<svg onload=\"1\">&'"), "&lt;svg onload=&quot;1&quot;&gt;&amp;&#39;");
}

TEST(Escape, PrintableShowsBytes) { EXPECT_EQ(printable("a\nb\xff"), "a\\x0ab\\xff"); }

}  // namespace kscope
