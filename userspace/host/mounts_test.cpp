#include "host/mounts.h"

#include <gtest/gtest.h>

#include "host/test_sample.h"

namespace kscope::host {
namespace {

TEST(Mounts, KeepsTheRealFilesystemsOfARealFile) {
  // testdata/mounts.txt: proc, sysfs, devtmpfs, cgroups, bpf, tracefs, /dev/shm
  // twice, the root ext4 on /dev/vda, and a tmpfs read-only.
  Mounts m = parse_mounts(sample("mounts.txt"));
  std::vector<std::string> points;
  for (const auto& x : m.mounts) points.push_back(x.mountpoint);
  EXPECT_EQ(points, (std::vector<std::string>{"/", "/mnt/sandboxing/model_tools_env/v1/python", "/run/netns"}));
  EXPECT_EQ(m.mounts[0].device, "/dev/vda");
  EXPECT_EQ(m.mounts[0].fstype, "ext4");
  EXPECT_FALSE(m.mounts[0].readonly);
  EXPECT_TRUE(m.mounts[1].readonly);
  EXPECT_EQ(m.dropped, 0u);
}

TEST(Mounts, DecodesTheKernelsEscapes) {
  // A mount point with a space, a tab, a newline, a backslash and quotes.
  Mounts m = parse_mounts("/dev/sdb1 /mnt/a\\040b\\011c\\012d\\134e\"f\" ext4 rw 0 0\n");
  ASSERT_EQ(m.mounts.size(), 1u);
  EXPECT_EQ(m.mounts[0].mountpoint, "/mnt/a b\tc\nd\\e\"f\"");
  // Malformed escapes are kept as they are.
  EXPECT_EQ(decode_mount_field("a\\04"), "a\\04");
  EXPECT_EQ(decode_mount_field("a\\08x"), "a\\08x");
  EXPECT_EQ(decode_mount_field("\\"), "\\");
  EXPECT_EQ(decode_mount_field("\\777"), "\\777");  // past a byte
  EXPECT_EQ(decode_mount_field("\\000"), std::string(1, '\0'));
}

TEST(Mounts, LeavesOutPseudoFilesystemsAsNodeExporterDoes) {
  auto pseudo = [](const char* point, const char* type) { return is_pseudo_filesystem({"x", point, type, false}); };
  EXPECT_TRUE(pseudo("/proc", "proc"));
  EXPECT_TRUE(pseudo("/data", "overlay"));
  EXPECT_TRUE(pseudo("/snap/core/1", "squashfs"));
  EXPECT_TRUE(pseudo("/dev", "ext4"));                // by mount point
  EXPECT_TRUE(pseudo("/sys/fs/x", "ext4"));
  EXPECT_TRUE(pseudo("/run/credentials/a.service", "tmpfs"));
  EXPECT_TRUE(pseudo("/var/lib/docker/overlay2/x", "xfs"));
  EXPECT_TRUE(pseudo("/var/lib/containers/storage/x", "xfs"));
  EXPECT_FALSE(pseudo("/device", "ext4"));           // a prefix, not the folder
  EXPECT_FALSE(pseudo("/run/credentials", "tmpfs"));  // only what is below it
  EXPECT_FALSE(pseudo("/var/lib/docker", "xfs"));
  EXPECT_FALSE(pseudo("/run", "tmpfs"));
  EXPECT_FALSE(pseudo("/boot/efi", "vfat"));
}

TEST(Mounts, DedupesByDeviceAndMountPoint) {
  Mounts m = parse_mounts(
      "/dev/sda1 /data ext4 rw 0 0\n"
      "/dev/sda1 /data ext4 ro 0 0\n"      // the same again: the first stays
      "/dev/sda1 /backup ext4 rw 0 0\n"    // the same device elsewhere: kept
      "/dev/sdb1 /data xfs rw 0 0\n");     // another device over it: kept
  ASSERT_EQ(m.mounts.size(), 3u);
  EXPECT_FALSE(m.mounts[0].readonly);
}

TEST(Mounts, SkipsTruncatedLinesAndCapsTheCount) {
  Mounts m = parse_mounts("/dev/sda1\n/dev/sda1 /x\n\n   \n/dev/sda2 /y ext4\n");
  ASSERT_EQ(m.mounts.size(), 1u);  // no options: still a mount, not read-only
  EXPECT_EQ(m.mounts[0].mountpoint, "/y");
  std::string text;
  for (size_t i = 0; i < kMaxFilesystems + 7; ++i) text += "/dev/d" + std::to_string(i) + " /m" + std::to_string(i) + " ext4 rw 0 0\n";
  Mounts many = parse_mounts(text);
  EXPECT_EQ(many.mounts.size(), kMaxFilesystems);
  EXPECT_EQ(many.dropped, 7u);
}

}  // namespace
}  // namespace kscope::host
