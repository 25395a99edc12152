#include "flamegraph/flame_svg.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "flamegraph/flame_layout.h"
#include "flamegraph/flame_script.h"
#include "flamegraph/folded.h"
#include "flamegraph/xml_for_tests.h"

namespace kscope {
namespace {

using testing::XmlElement;
using testing::XmlParser;

struct Box {
  double x, y, w;
  std::string info, fill, label;
};

std::string render(const Profile& p, FlameFormat format = FlameFormat::kSvg, FlameOptions o = {}) {
  return collect_output([&](const Sink& out) { write_flame_graph(p, o, format, out); });
}

Profile parse(std::string_view folded) {
  auto p = parse_folded(folded);
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(p).value() : Profile();
}

std::vector<Box> boxes(const XmlElement& svg) {
  const XmlElement* frames = svg.find_id("kf-frames");
  EXPECT_NE(frames, nullptr);
  std::vector<Box> out;
  if (!frames) return out;
  for (const auto& g : frames->children) {
    std::vector<const XmlElement*> rect, title, text;
    g->find_all("rect", &rect);
    g->find_all("title", &title);
    g->find_all("text", &text);
    EXPECT_EQ(rect.size(), 1u);
    EXPECT_EQ(title.size(), 1u);
    if (rect.size() != 1 || title.size() != 1) continue;
    out.push_back(Box{std::stod(rect[0]->attr("x")), std::stod(rect[0]->attr("y")),
                      std::stod(rect[0]->attr("width")), title[0]->text, rect[0]->attr("fill"),
                      text.empty() ? "" : text[0]->text});
  }
  return out;
}

std::unique_ptr<XmlElement> parse_xml(const std::string& doc) {
  XmlParser parser;
  auto root = parser.parse(doc);
  EXPECT_NE(root, nullptr) << parser.error();
  return root;
}

// A real XML parser, when installed, as a second opinion.
void expect_xmllint_accepts(const std::string& doc) {
  if (access("/usr/bin/xmllint", X_OK) != 0) return;
  std::string path = ::testing::TempDir() + "kscope_flame_" + std::to_string(getpid()) + ".svg";
  std::ofstream(path) << doc;
  int rc = std::system(("/usr/bin/xmllint --noout " + path + " 2>/dev/null").c_str());
  EXPECT_EQ(rc, 0) << "xmllint rejected " << path;
  if (rc == 0) std::remove(path.c_str());
}

// Every box sits on one below it (its parent) and the boxes standing on a
// parent fit inside it.
void expect_children_fit(const std::vector<Box>& bs) {
  for (const Box& parent : bs) {
    double sum = 0;
    for (const Box& c : bs) {
      if (std::fabs(c.y + 16 - parent.y) < 0.01 && c.x >= parent.x - 0.02 && c.x + c.w <= parent.x + parent.w + 0.02) {
        sum += c.w;
      }
    }
    EXPECT_LE(sum, parent.w + 0.05) << parent.info;
  }
  for (const Box& c : bs) {
    if (&c == &bs.front()) continue;
    bool has_parent = false;
    for (const Box& p : bs) {
      has_parent |= std::fabs(c.y + 16 - p.y) < 0.01 && c.x >= p.x - 0.02 && c.x + c.w <= p.x + p.w + 0.02;
    }
    EXPECT_TRUE(has_parent) << c.info;
  }
}

TEST(FlameSvg, StructureOfASmallProfile) {
  Profile p = parse(
      "app;main;work 60\n"
      "app;main;work;sys_write_[k] 20\n"
      "app;main;idle 20\n"
      "java;Interp_[j] 100\n");
  p.set_period_ns(10'000'000);
  std::string svg = render(p);
  auto root = parse_xml(svg);
  ASSERT_NE(root, nullptr);
  expect_xmllint_accepts(svg);
  EXPECT_EQ(root->name, "svg");
  EXPECT_EQ(root->attr("data-kind"), "cpu");
  auto bs = boxes(*root);
  // all, app, main, idle, work, sys_write, java, Interp
  ASSERT_EQ(bs.size(), 8u);
  EXPECT_EQ(bs[0].info.substr(0, 5), "all (");
  EXPECT_NEAR(bs[0].w, 1180, 0.01);
  expect_children_fit(bs);
  // Widths are shares of the total.
  for (const Box& b : bs) {
    if (b.info.starts_with("main (")) {
      EXPECT_NEAR(b.w, 1180 * 0.5, 0.01);
      EXPECT_NE(b.info.find("100 samples, 1.00 s, 50.00%"), std::string::npos) << b.info;
    }
  }
  // Kernel, JIT and user frames have different colours.
  std::string user_fill, kernel_fill, jit_fill;
  for (const Box& b : bs) {
    if (b.info.starts_with("work (")) user_fill = b.fill;
    if (b.info.starts_with("sys_write (")) kernel_fill = b.fill;
    if (b.info.starts_with("Interp (")) jit_fill = b.fill;
  }
  EXPECT_NE(user_fill, kernel_fill);
  EXPECT_NE(user_fill, jit_fill);
  EXPECT_NE(kernel_fill, jit_fill);
  // The interactive parts are there.
  for (const char* id : {"kf-title", "kf-subtitle", "kf-search", "kf-reset", "kf-matched", "kf-details"}) {
    EXPECT_NE(root->find_id(id), nullptr) << id;
  }
  EXPECT_EQ(root->find_id("kf-title")->text, "CPU Flame Graph");
}

TEST(FlameSvg, HostileNamesAreEscapedAndTheDocumentStillParses) {
  std::string evil = "<script>alert(\"x\")</script>&amp;';--]]>";
  Profile p;
  std::vector<FrameId> s{p.intern(evil, ProfileFrameKind::kProcess), p.intern("bad\xff\xfe utf8 \x01", ProfileFrameKind::kUser),
                         p.intern("x onload=\"alert(1)\"", ProfileFrameKind::kKernel)};
  p.add_stack(s, 5);
  FlameOptions o;
  o.title = "</text><script>alert(1)</script>";
  o.subtitle = "\"quoted\" & <b>";
  for (FlameFormat format : {FlameFormat::kSvg, FlameFormat::kHtml}) {
    std::string doc = render(p, format, o);
    EXPECT_EQ(doc.find("<script>alert"), std::string::npos);
    EXPECT_EQ(doc.find("onload=\""), std::string::npos);
    std::string svg = doc.substr(doc.find("<svg"), doc.rfind("</svg>") + 6 - doc.find("<svg"));
    auto root = parse_xml(svg);
    ASSERT_NE(root, nullptr);
    expect_xmllint_accepts(svg);
    // Exactly one script: ours.
    std::vector<const XmlElement*> scripts;
    root->find_all("script", &scripts);
    EXPECT_EQ(scripts.size(), 1u);
    EXPECT_EQ(root->find_id("kf-title")->text, o.title);
    auto bs = boxes(*root);
    ASSERT_EQ(bs.size(), 4u);
    EXPECT_TRUE(bs[1].info.starts_with(evil + " (")) << bs[1].info;
    EXPECT_TRUE(bs[2].info.starts_with("bad\xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD (")) << bs[2].info;
  }
}

TEST(FlameSvg, HtmlWrapsTheSameSvg) {
  Profile p = parse("a;b 1\n");
  std::string html = render(p, FlameFormat::kHtml);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("id=\"kscope-flame\""), std::string::npos);
  EXPECT_NE(html.find("window.kscopeFlame"), std::string::npos);
  EXPECT_TRUE(html.ends_with("</body></html>\n"));
}

TEST(FlameSvg, SmallFramesAreMergedSoLargeProfilesStayUsable) {
  std::string text = "app;big 1000000\n";
  for (int i = 0; i < 20000; ++i) text += "app;small" + std::to_string(i) + ";deeper 1\n";
  Profile p = parse(text);
  std::string svg = render(p);
  auto root = parse_xml(svg);
  ASSERT_NE(root, nullptr);
  auto bs = boxes(*root);
  // all, app, big, and one box for 20000 small frames (2% of the width).
  ASSERT_EQ(bs.size(), 4u);
  EXPECT_TRUE(bs[3].info.starts_with("20,000 small frames (")) << bs[3].info;
  EXPECT_NEAR(bs[3].w, 1180.0 * 20000 / 1020000, 0.01);
  expect_children_fit(bs);
}

TEST(FlameSvg, LabelsAreCutToFitOnCodePoints) {
  Profile p = parse("app;" + std::string(200, 'x') + " 1\napp;\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9 1\napp;short 1000\n");
  auto root = parse_xml(render(p));
  ASSERT_NE(root, nullptr);
  for (const Box& b : boxes(*root)) {
    double max_chars = (b.w - 6) / (12 * 0.59);
    size_t code_points = 0;
    for (char c : b.label) code_points += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
    EXPECT_LE(static_cast<double>(code_points), std::max(0.0, max_chars)) << b.label;
  }
}

TEST(FlameSvg, LayoutWidthsAddUp) {
  Profile p = parse("a;b;c 3\na;b 2\na;d 5\ne 10\n");
  auto totals = p.totals();
  FlameLayout l = layout_flame(p, totals, 0);
  ASSERT_EQ(l.total, 20u);
  EXPECT_EQ(l.max_depth, 3u);
  for (const FlameBox& parent : l.boxes) {
    uint64_t sum = 0;
    for (const FlameBox& c : l.boxes) {
      if (c.node != Profile::kNoNode && c.node != Profile::kRoot && p.node(c.node).parent == parent.node) {
        sum += c.weight;
        EXPECT_GE(c.x, parent.x);
        EXPECT_LE(c.x + c.weight, parent.x + parent.weight);
      }
    }
    EXPECT_LE(sum, parent.weight);
  }
}

TEST(FlameSvg, EmptyProfileStillRenders) {
  Profile p;
  auto root = parse_xml(render(p));
  ASSERT_NE(root, nullptr);
  EXPECT_TRUE(boxes(*root).empty());
}

TEST(FlameSvg, ScriptCannotEndItsCdataSection) {
  EXPECT_EQ(flame_graph_script().find("]]>"), std::string_view::npos);
  // Names are never fed to a parser from the script.
  EXPECT_EQ(flame_graph_script().find("innerHTML"), std::string_view::npos);
  EXPECT_EQ(flame_graph_script().find("eval("), std::string_view::npos);
}

TEST(FlameSvg, Formatting) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_duration_ns(1.5e9), "1.50 s");
  EXPECT_EQ(format_duration_ns(2.5e6), "2.50 ms");
  EXPECT_EQ(format_duration_ns(999), "999 ns");
}

}  // namespace
}  // namespace kscope

namespace kscope {
namespace {

// Writes a sample graph for tests/e2e/flame_browser.sh, which drives its
// script in a real browser; skipped in the ordinary unit run.
TEST(FlameSvgSample, WriteForBrowserTest) {
  const char* out = std::getenv("KSCOPE_FLAME_SAMPLE_OUT");
  if (!out) GTEST_SKIP() << "KSCOPE_FLAME_SAMPLE_OUT not set (used by tests/e2e/flame_browser.sh)";
  Profile p = parse(
      "app;main;busy 90\n"
      "app;main;idle 9\n"
      "app;<img src=x onerror=alert(1)> 1\n");
  ASSERT_TRUE(write_output_file(out, [&](const Sink& s) { write_flame_graph(p, {}, FlameFormat::kHtml, s); }).ok());
}

}  // namespace
}  // namespace kscope
