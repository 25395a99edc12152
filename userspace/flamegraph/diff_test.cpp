#include "flamegraph/diff.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "flamegraph/folded.h"
#include "flamegraph/frame_color.h"
#include "flamegraph/pprof_writer.h"
#include "flamegraph/profile_reader.h"
#include "flamegraph/xml_for_tests.h"

namespace kscope {
namespace {

Profile parse(std::string_view text) {
  auto p = parse_folded(text);
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(p).value() : Profile();
}

// fill colour of each frame box, by the frame name in its title.
std::map<std::string, std::string> fills(const DiffProfile& d) {
  std::string svg = collect_output([&](const Sink& out) { write_diff_graph(d, {}, FlameFormat::kSvg, out); });
  testing::XmlParser parser;
  auto root = parser.parse(svg);
  EXPECT_NE(root, nullptr) << parser.error();
  std::map<std::string, std::string> out;
  if (!root) return out;
  for (const auto& g : root->find_id("kf-frames")->children) {
    std::vector<const testing::XmlElement*> t, r;
    g->find_all("title", &t);
    g->find_all("rect", &r);
    out[t[0]->text.substr(0, t[0]->text.find(" ("))] = r[0]->attr("fill");
  }
  return out;
}

const char* kBefore = "app;main;parse 50\napp;main;render 50\napp;gc 10\n";

TEST(Diff, AgainstItselfIsAllNeutral) {
  Profile a = parse(kBefore);
  Profile b = parse(kBefore);
  auto d = diff_profiles(a, b);
  ASSERT_TRUE(d.ok());
  auto f = fills(*d);
  ASSERT_EQ(f.size(), 6u);
  for (const auto& [name, fill] : f) EXPECT_EQ(fill, css_color(neutral_diff_color())) << name;
  std::string both = collect_output([&](const Sink& out) { write_diff_folded(*d, out); });
  EXPECT_EQ(both, "app;gc 10 10\napp;main;parse 50 50\napp;main;render 50 50\n");
}

TEST(Diff, GrewIsRedShrankIsBlueAndSharesAreNormalised) {
  Profile before = parse(kBefore);
  // Twice as long a run, same shape except parse doubled its share.
  Profile after = parse("app;main;parse 200\napp;main;render 100\napp;gc 20\napp;new_fn 5\n");
  auto d = diff_profiles(before, after);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->before_total, 110u);
  EXPECT_EQ(d->after_total, 325u);
  auto f = fills(*d);
  auto red = [](const std::string& c) {
    int r, g, b;
    return std::sscanf(c.c_str(), "rgb(%d,%d,%d)", &r, &g, &b) == 3 && r > b;
  };
  auto blue = [](const std::string& c) {
    int r, g, b;
    return std::sscanf(c.c_str(), "rgb(%d,%d,%d)", &r, &g, &b) == 3 && b > r;
  };
  EXPECT_TRUE(red(f["parse"])) << f["parse"];
  EXPECT_TRUE(red(f["new_fn"])) << f["new_fn"];
  EXPECT_TRUE(blue(f["render"])) << f["render"];
  EXPECT_TRUE(blue(f["gc"])) << f["gc"];
  EXPECT_EQ(f["all"], css_color(neutral_diff_color()));
  std::string both = collect_output([&](const Sink& out) { write_diff_folded(*d, out); });
  EXPECT_EQ(both, "app;gc 10 20\napp;main;parse 50 200\napp;main;render 50 100\napp;new_fn 0 5\n");
}

TEST(Diff, StacksOnlyInBeforeAreListedButNotDrawn) {
  auto d = diff_profiles(parse("p;gone 5\np;kept 5\n"), parse("p;kept 5\n"));
  ASSERT_TRUE(d.ok());
  std::string both = collect_output([&](const Sink& out) { write_diff_folded(*d, out); });
  EXPECT_EQ(both, "p;gone 5 0\np;kept 5 5\n");
  auto f = fills(*d);
  EXPECT_EQ(f.count("gone"), 0u);
  EXPECT_EQ(f.count("kept"), 1u);
}

TEST(Diff, KindsMustMatch) {
  Profile cpu = parse("a 1\n");
  Profile off(ProfileKind::kOffCpu);
  auto d = diff_profiles(cpu, off);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("cpu profile with a offcpu profile"), std::string::npos);
}

TEST(ProfileReader, SniffsFoldedAndPprofFiles) {
  Profile p = parse(kBefore);
  std::string dir = ::testing::TempDir();
  std::string folded_path = dir + "kscope_sniff_" + std::to_string(getpid()) + ".txt";
  std::string pprof_path = dir + "kscope_sniff_" + std::to_string(getpid()) + ".bin";
  ASSERT_TRUE(write_output_file(folded_path, [&](const Sink& out) { write_folded(p, out); }).ok());
  ASSERT_TRUE(write_output_file(pprof_path, [&](const Sink& out) { write_pprof(p, out); }).ok());
  auto a = read_profile_file(folded_path);
  auto b = read_profile_file(pprof_path);
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  auto text = [](const Profile& x) { return collect_output([&](const Sink& out) { write_folded(x, out); }); };
  EXPECT_EQ(text(*a), text(p));
  EXPECT_EQ(text(*b), text(p));
  EXPECT_EQ(sniff_profile_format(encode_pprof_proto(p)), ProfileFormat::kPprof);
  EXPECT_EQ(sniff_profile_format("a;b 1\n"), ProfileFormat::kFolded);
  std::remove(folded_path.c_str());
  std::remove(pprof_path.c_str());
  EXPECT_FALSE(read_profile_file(dir + "kscope_no_such_file").ok());
}

}  // namespace
}  // namespace kscope
