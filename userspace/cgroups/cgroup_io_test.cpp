#include "cgroups/cgroup_io.h"

#include <gtest/gtest.h>

#include <string>

#include "cgroups/cgroup_pressure.h"

namespace kscope {
namespace {

TEST(CgroupIo, IoStatV2) {
  // Documentation/admin-guide/cgroup-v2.rst's example.
  auto d = parse_io_stat(
      "8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n"
      "8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 dbytes=50331648 dios=3021\n");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].major, 8u);
  EXPECT_EQ(d[0].minor, 16u);
  EXPECT_EQ(d[0].read_bytes, 1459200u);
  EXPECT_EQ(d[0].write_bytes, 314773504u);
  EXPECT_EQ(d[0].read_ops, 192u);
  EXPECT_EQ(d[0].write_ops, 353u);
  EXPECT_EQ(d[1].minor, 0u);
  EXPECT_EQ(d[1].read_ops, 8950u);
}

TEST(CgroupIo, BlkioV1BytesAndOpsMerge) {
  std::vector<CgroupIoDevice> d;
  merge_blkio_throttle(
      "8:0 Read 1396736\n8:0 Write 4096\n8:0 Sync 1396736\n8:0 Async 4096\n8:0 Discard 0\n8:0 Total 1400832\n"
      "253:1 Read 0\n253:1 Write 8192\nTotal 1409024\n",
      true, d);
  merge_blkio_throttle("8:0 Read 40\n8:0 Write 1\n8:0 Total 41\nTotal 41\n", false, d);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].read_bytes, 1396736u);
  EXPECT_EQ(d[0].write_bytes, 4096u);
  EXPECT_EQ(d[0].read_ops, 40u);
  EXPECT_EQ(d[0].write_ops, 1u);
  EXPECT_EQ(d[1].major, 253u);
  EXPECT_EQ(d[1].write_bytes, 8192u);
  EXPECT_EQ(d[1].write_ops, 0u);
}

TEST(CgroupIo, HostileText) {
  EXPECT_TRUE(parse_io_stat("Total 5\n:\n8: rbytes=1\n:0 rbytes=1\n99999:0 rbytes=1\n").empty());
  auto d = parse_io_stat("8:0 rbytes=x wbytes= rios=-1 =5 wios=7\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].read_bytes, 0u);
  EXPECT_EQ(d[0].write_ops, 7u);
  std::string many;
  for (int i = 0; i < 200; ++i) many += "8:" + std::to_string(i) + " rbytes=1\n";
  EXPECT_EQ(parse_io_stat(many).size(), kCgroupMaxDevices);
}

TEST(CgroupPressure, SomeAndFull) {
  auto p = parse_pressure(
      "some avg10=1.53 avg60=0.87 avg300=0.23 total=3146912\nfull avg10=0.00 avg60=0.13 avg300=0.04 total=884536\n");
  EXPECT_EQ(p.some_usec, 3146912u);
  EXPECT_EQ(p.full_usec, 884536u);
  auto cpu_old = parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=12\n");  // cpu before 5.13
  EXPECT_EQ(cpu_old.some_usec, 12u);
  EXPECT_FALSE(cpu_old.full_usec);
  auto bad = parse_pressure("some total=\nfull avg10=1 total=abc\nweird total=5\n");
  EXPECT_FALSE(bad.some_usec);
  EXPECT_FALSE(bad.full_usec);
}

}  // namespace
}  // namespace kscope
