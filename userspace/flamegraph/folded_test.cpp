#include "flamegraph/folded.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace kscope {
namespace {

std::string folded(const Profile& p) {
  return collect_output([&](const Sink& out) { write_folded(p, out); });
}

Profile parse_ok(std::string_view text, FoldedOptions o = {}, FoldedStats* stats = nullptr) {
  auto p = parse_folded(text, o, stats);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().to_string());
  return p.ok() ? std::move(p).value() : Profile();
}

TEST(Folded, ParsesKindsAndRoot) {
  Profile p = parse_ok("java;main;Interp::run_[j];sys_read_[k] 3\njava;main 2\n");
  EXPECT_EQ(p.total_weight(), 5u);
  EXPECT_EQ(p.stack_count(), 2u);
  EXPECT_NE(p.find_frame("java", ProfileFrameKind::kProcess), Profile::kNoFrame);
  EXPECT_NE(p.find_frame("Interp::run", ProfileFrameKind::kJit), Profile::kNoFrame);
  EXPECT_NE(p.find_frame("sys_read", ProfileFrameKind::kKernel), Profile::kNoFrame);
  EXPECT_NE(p.find_frame("main", ProfileFrameKind::kUser), Profile::kNoFrame);
}

TEST(Folded, WriteIsSortedAggregatedAndRoundTrips) {
  const char* in =
      "b;z 1\n"
      "a;x;y_[k] 2\n"
      "a;x 4\n"
      "b;z 5\n"
      "a;x;y_[k] 1\n";
  Profile p = parse_ok(in);
  std::string out = folded(p);
  EXPECT_EQ(out, "a;x 4\na;x;y_[k] 3\nb;z 6\n");
  EXPECT_EQ(folded(parse_ok(out)), out);
}

TEST(Folded, FramesWithSpacesAndBlankRuns) {
  Profile p = parse_ok("my proc;operator new (unsigned long);do  work \t 7\r\n\n   \n");
  EXPECT_EQ(p.total_weight(), 7u);
  EXPECT_NE(p.find_frame("operator new (unsigned long)", ProfileFrameKind::kUser), Profile::kNoFrame);
  EXPECT_NE(p.find_frame("do  work", ProfileFrameKind::kUser), Profile::kNoFrame);
  EXPECT_EQ(folded(p), "my proc;operator new (unsigned long);do  work 7\n");
}

TEST(Folded, GarbageLinesAreCountedWithTheFirstLineNumber) {
  FoldedStats stats;
  Profile p = parse_ok(
      "a;b 1\n"
      "# a comment\n"
      "a;b notanumber\n"
      "\n"
      "a;c 99999999999999999999999\n"  // overflows uint64
      " 5\n"
      "a;c 2\n",
      {}, &stats);
  EXPECT_EQ(p.total_weight(), 3u);
  EXPECT_EQ(stats.lines, 7u);
  EXPECT_EQ(stats.stacks, 2u);
  EXPECT_EQ(stats.skipped, 4u);
  EXPECT_EQ(stats.first_skipped_line, 2u);
}

TEST(Folded, StrictModeNamesTheLine) {
  FoldedOptions o;
  o.strict = true;
  auto p = parse_folded("a;b 1\na;b 2\nbroken line\n", o);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("line 3"), std::string::npos) << p.error().message();
  EXPECT_NE(p.error().message().find("broken line"), std::string::npos);
}

TEST(Folded, PrefixReuseKeepsFramesApart) {
  // Each line shares a byte prefix with the one before that is not a frame
  // prefix; the parser must not reuse the wrong node.
  Profile p = parse_ok(
      "p;ab 1\n"
      "p;a 1\n"
      "p;a;b 1\n"
      "p;ab;c 1\n"
      "p;ab;c 1\n"
      "p 1\n"
      "p;a;b 1\n"
      "pq;a 1\n"
      "p;a;b_[k] 1\n"
      "p;a;b;;x 1\n");
  EXPECT_EQ(folded(p),
            "p 1\n"
            "p;a 1\n"
            "p;a;b 2\n"
            "p;a;b;[unknown];x 1\n"
            "p;a;b_[k] 1\n"
            "p;ab 1\n"
            "p;ab;c 2\n"
            "pq;a 1\n");
}

TEST(Folded, ChunkingDoesNotMatter) {
  std::string text;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    text += "proc";
    int depth = 1 + static_cast<int>(rng() % 30);
    for (int d = 0; d < depth; ++d) text += ";fn" + std::to_string(rng() % 5);
    if (i % 50 == 0) text += "\nthis is garbage";
    text += " " + std::to_string(1 + rng() % 9) + "\n";
  }
  std::string whole = folded(parse_ok(text));
  for (size_t piece : {1u, 3u, 17u, 4096u}) {
    FoldedParser parser;
    for (size_t i = 0; i < text.size(); i += piece) ASSERT_TRUE(parser.feed(std::string_view(text).substr(i, piece)).ok());
    auto p = parser.finish();
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(folded(*p), whole) << "piece size " << piece;
    EXPECT_EQ(parser.stats().skipped, 40u);
  }
}

TEST(Folded, VeryLongLinesAndLastLineWithoutNewline) {
  std::string big_name(1 << 20, 'x');
  std::string line = "proc;" + big_name;
  for (int i = 0; i < 20000; ++i) line += ";f" + std::to_string(i % 10);
  line += " 3";
  Profile p = parse_ok(line);
  EXPECT_EQ(p.max_depth(), 20002u);
  EXPECT_EQ(p.total_weight(), 3u);
  EXPECT_NE(p.find_frame(big_name, ProfileFrameKind::kUser), Profile::kNoFrame);
}

TEST(Folded, LineOverTheLimitIsMalformed) {
  FoldedOptions o;
  o.max_line_bytes = 100;
  FoldedStats stats;
  FoldedParser parser(o);
  std::string longline(300, 'a');
  ASSERT_TRUE(parser.feed("a;b 1\n").ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(parser.feed(longline).ok());
  ASSERT_TRUE(parser.feed(" 5\nc;d 2\n").ok());
  auto p = parser.finish();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->total_weight(), 3u);
  EXPECT_EQ(parser.stats().skipped, 1u);
  EXPECT_EQ(parser.stats().first_skipped_line, 2u);
}

TEST(Folded, WriterEscapesSeparatorsAndInvalidUtf8) {
  Profile p;
  std::vector<FrameId> s{p.intern("evil;proc\nname", ProfileFrameKind::kProcess),
                         p.intern("bad\xff", ProfileFrameKind::kUser), p.intern("", ProfileFrameKind::kUser)};
  p.add_stack(s, 1);
  EXPECT_EQ(folded(p), "evil:proc name;bad\xEF\xBF\xBD;[unknown] 1\n");
}

TEST(Folded, ReadFileReportsMissingFile) {
  auto p = read_folded_file("/nonexistent/kscope.folded");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("/nonexistent/kscope.folded"), std::string::npos);
}

}  // namespace
}  // namespace kscope
