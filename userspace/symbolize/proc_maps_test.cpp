#include "symbolize/proc_maps.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace kscope {
namespace {

TEST(ProcMaps, ParsesFileAnonAndSpecialMappings) {
  auto maps = parse_proc_maps(
      "55d0c0a00000-55d0c0a21000 r--p 00000000 fd:01 1234                       /usr/bin/prog\n"
      "55d0c0a21000-55d0c0b00000 r-xp 00021000 fd:01 1234                       /usr/bin/prog\n"
      "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n"
      "7ffd4a5f0000-7ffd4a5f2000 r-xp 00000000 00:00 0                          [vdso]\n");
  ASSERT_EQ(maps.size(), 4u);
  EXPECT_EQ(maps[1].start, 0x55d0c0a21000u);
  EXPECT_EQ(maps[1].end, 0x55d0c0b00000u);
  EXPECT_EQ(maps[1].offset, 0x21000u);
  EXPECT_EQ(maps[1].dev_major, 0xfdu);
  EXPECT_EQ(maps[1].dev_minor, 1u);
  EXPECT_EQ(maps[1].inode, 1234u);
  EXPECT_TRUE(maps[1].executable);
  EXPECT_FALSE(maps[0].executable);
  EXPECT_EQ(maps[1].path, "/usr/bin/prog");
  EXPECT_TRUE(maps[1].is_file());
  EXPECT_EQ(maps[2].path, "");
  EXPECT_FALSE(maps[2].is_file());
  EXPECT_EQ(maps[3].path, "[vdso]");
  EXPECT_FALSE(maps[3].is_file());
}

TEST(ProcMaps, HostileNamesAndTruncatedLines) {
  auto maps = parse_proc_maps(
      "1000-2000 r-xp 00000000 08:01 7 /tmp/my lib  with spaces.so\n"
      "2000-3000 r-xp 00000000 08:01 8 /tmp/gone.so (deleted)\n"
      "3000-4000 r-xp 00000000 08:01 9 /tmp/new\\012line.so\n"
      "4000-3000 r-xp 00000000 08:01 9 /backwards\n"
      "zzzz-5000 r-xp 00000000 08:01 9 /bad\n"
      "6000-7000 r-xp 00000000 08:01\n"
      "7000-8000 r-xp 000");
  ASSERT_EQ(maps.size(), 3u);
  EXPECT_EQ(maps[0].path, "/tmp/my lib  with spaces.so");
  EXPECT_FALSE(maps[0].deleted);
  EXPECT_EQ(maps[1].path, "/tmp/gone.so");
  EXPECT_TRUE(maps[1].deleted);
  EXPECT_EQ(maps[2].path, "/tmp/new\\012line.so");
}

TEST(ProcMaps, FindMappingBinarySearch) {
  auto maps = parse_proc_maps(
      "3000-4000 r-xp 00000000 08:01 2 /b\n"
      "1000-2000 r-xp 00000000 08:01 1 /a\n");
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(find_mapping(maps, 0x1000)->path, "/a");
  EXPECT_EQ(find_mapping(maps, 0x1fff)->path, "/a");
  EXPECT_EQ(find_mapping(maps, 0x2000), nullptr);
  EXPECT_EQ(find_mapping(maps, 0x3abc)->path, "/b");
  EXPECT_EQ(find_mapping(maps, 0x4000), nullptr);
  EXPECT_EQ(find_mapping(maps, 0), nullptr);
}

TEST(ProcMaps, ReadsOwnMaps) {
  auto maps = read_proc_maps(getpid());
  ASSERT_TRUE(maps.ok()) << maps.error().to_string();
  auto here = reinterpret_cast<uint64_t>(&read_proc_maps);
  const MapEntry* m = find_mapping(*maps, here);
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->executable);
  EXPECT_TRUE(m->is_file());
}

}  // namespace
}  // namespace kscope
