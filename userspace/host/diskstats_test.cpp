#include "host/diskstats.h"

#include <gtest/gtest.h>

#include "host/test_sample.h"

namespace kscope::host {
namespace {

TEST(Diskstats, ParsesARealFile) {
  // testdata/diskstats.txt: loop0 busy, loop1-7 idle, vda, zram0 idle.
  Diskstats d = parse_diskstats(sample("diskstats.txt"));
  ASSERT_EQ(d.disks.size(), 2u);
  EXPECT_EQ(d.disks[0].name, "loop0");
  EXPECT_EQ(d.disks[0].v[kReads], 1050u);
  EXPECT_EQ(d.disks[0].v[kSectorsWritten], 11556000u);
  EXPECT_EQ(d.disks[0].v[kWeightedIoMs], 57632u);
  EXPECT_EQ(d.disks[0].fields, 17u);
  EXPECT_EQ(d.disks[1].name, "vda");
  EXPECT_EQ(d.disks[1].v[kFlushes], 15691u);
  EXPECT_EQ(d.disks[1].v[kFlushMs], 3062u);
}

TEST(Diskstats, ExcludesAsNodeExporterButKeepsBusyLoopDevices) {
  for (const char* partition : {"sda1", "vdb12", "hdc3", "xvda1", "nvme0n1p2", "nvme10n2p13", "ram0", "zram1", "fd0"}) {
    EXPECT_TRUE(disk_excluded(partition, true)) << partition;
  }
  for (const char* disk : {"sda", "vdb", "xvda", "nvme0n1", "dm-0", "md127", "mmcblk0", "mmcblk0p1", "sdaa1", "sr0"}) {
    EXPECT_FALSE(disk_excluded(disk, false)) << disk;
  }
  EXPECT_TRUE(disk_excluded("loop3", false));
  EXPECT_FALSE(disk_excluded("loop3", true));
  EXPECT_FALSE(disk_excluded("loop", false));  // not loop\d+
}

TEST(Diskstats, OldKernelsHaveFewerFields) {
  Diskstats d = parse_diskstats("   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n   8  16 sdb 1 2 3\n");
  ASSERT_EQ(d.disks.size(), 1u);
  EXPECT_EQ(d.disks[0].fields, 11u);
  EXPECT_EQ(d.disks[0].v[kWeightedIoMs], 11u);
}

TEST(Diskstats, SkipsHostileLines) {
  Diskstats d = parse_diskstats(
      "8 0 sda 1 2 3 4 5 6 7 8 9 10 99999999999999999999999\n"  // past 64 bits
      "8 0 sdb 1 2 3 4 5 6 7 8 9 10 x\n"
      "x 0 sdc 1 2 3 4 5 6 7 8 9 10 11\n"
      "8 0\n"
      "8 0 sdd 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n");  // more than 17: the rest ignored
  ASSERT_EQ(d.disks.size(), 1u);
  EXPECT_EQ(d.disks[0].name, "sdd");
  EXPECT_EQ(d.disks[0].fields, 17u);
  std::string text;
  for (size_t i = 0; i < kMaxDisks + 3; ++i) text += "8 0 dm-" + std::to_string(i) + " 1 2 3 4 5 6 7 8 9 10 11\n";
  Diskstats many = parse_diskstats(text);
  EXPECT_EQ(many.disks.size(), kMaxDisks);
  EXPECT_EQ(many.dropped, 3u);
}

}  // namespace
}  // namespace kscope::host
