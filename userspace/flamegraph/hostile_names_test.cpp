// The process names of tests/e2e/hostile_names.sh, as a profile's process
// frames (from a folded file, as `kscope diff` and `kscope profile` read
// them): the SVG and HTML flame graphs stay well-formed XML and show each
// name as text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flamegraph/flame_svg.h"
#include "flamegraph/folded.h"
#include "flamegraph/output_sink.h"
#include "common/escape.h"
#include "flamegraph/xml_for_tests.h"

namespace kscope {
namespace {

const std::vector<std::string> kNames = {"a\"b\\c", "x\ny", "<svg onload=1>", "{}", "bad\xff\xfeutf8"};

TEST(FlameHostileNames, EveryNameIsTextInAWellFormedDocument) {
  Profile p;
  for (const auto& n : kNames) {
    std::vector<FrameId> stack{p.intern(n, ProfileFrameKind::kProcess), p.intern("main", ProfileFrameKind::kUser)};
    p.add_stack(stack, 3);
  }
  for (FlameFormat format : {FlameFormat::kSvg, FlameFormat::kHtml}) {
    std::string doc = collect_output([&](const Sink& out) { write_flame_graph(p, {}, format, out); });
    std::string svg = doc.substr(doc.find("<svg"), doc.rfind("</svg>") + 6 - doc.find("<svg"));
    testing::XmlParser parser;
    auto root = parser.parse(svg);
    ASSERT_NE(root, nullptr) << parser.error();
    std::vector<const testing::XmlElement*> titles, scripts, svgs;
    root->find_all("title", &titles);
    root->find_all("script", &scripts);
    root->find_all("svg", &svgs);
    EXPECT_EQ(scripts.size(), 1u);
    EXPECT_TRUE(svgs.empty()) << "a name became an element";
    // The names as a reader sees them: quotes, backslash, markup and braces
    // verbatim (the line feed as a character reference, decoded back); the
    // invalid bytes as U+FFFD.
    for (std::string want : {"a\"b\\c", "x\ny", "<svg onload=1>", "{}", "bad\xEF\xBF\xBD\xEF\xBF\xBDutf8"}) {
      bool found = false;
      for (const auto* t : titles) found = found || t->text.find(want) != std::string::npos;
      EXPECT_TRUE(found) << printable(want) << " not in " << [&] { std::string all; for (const auto* t : titles) all += printable(t->text) + " | "; return all; }();
    }
  }
}

TEST(FlameHostileNames, FoldedRoundTripKeepsNamesApart) {
  std::string folded;
  for (const auto& n : kNames) {
    if (n.find('\n') != std::string::npos) continue;  // a line feed can't be in a folded line
    folded += n + ";main 3\n";
  }
  auto p = parse_folded(folded);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ(p->total_weight(), 3u * (kNames.size() - 1));
}

}  // namespace
}  // namespace kscope
