#include "symbolize/perf_map.h"

#include <gtest/gtest.h>

#include "symbolize/test_support.h"

namespace kscope {
namespace {

TEST(PerfMap, ParsesHexWithAndWithoutPrefixAndNamesWithSpaces) {
  auto map = PerfMap::parse(
      "7f0000001000 40 LazyCompile:~fib /app/fib.js:3\n"
      "0x7f0000002000 0x10 Interpreter\n"
      "not a line\n"
      "7f0000003000 0 zero_sized\n"
      "7f0000004000 20\n");
  EXPECT_EQ(map.size(), 2u);
  auto sym = map.find(0x7f0000001010);
  ASSERT_TRUE(sym);
  EXPECT_EQ(sym->name, "LazyCompile:~fib /app/fib.js:3");
  EXPECT_EQ(sym->start, 0x7f0000001000u);
  EXPECT_EQ(sym->offset, 0x10u);
  EXPECT_EQ(map.find(0x7f000000200f)->name, "Interpreter");
}

TEST(PerfMap, OutsideEntriesIsNothing) {
  auto map = PerfMap::parse("1000 10 a\n2000 10 b\n");
  EXPECT_FALSE(map.find(0xfff));
  EXPECT_FALSE(map.find(0x1010));  // past a's size, before b
  EXPECT_FALSE(map.find(0x2010));
}

TEST(PerfMap, LaterLineForSameStartWins) {
  auto map = PerfMap::parse("1000 10 old\n2000 10 b\n1000 20 new\r\n");
  auto sym = map.find(0x1018);
  ASSERT_TRUE(sym);
  EXPECT_EQ(sym->name, "new");
}

TEST(PerfMap, LoadFromFile) {
  testing::TempDir dir;
  auto map = PerfMap::load(dir.write("perf-1.map", "abc0 8 jitted\n"));
  ASSERT_TRUE(map.ok()) << map.error().to_string();
  EXPECT_EQ(map->find(0xabc4)->name, "jitted");
  EXPECT_FALSE(PerfMap::load(dir.path() + "/missing.map").ok());
}

}  // namespace
}  // namespace kscope
