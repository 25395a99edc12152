#include "host/block_devices.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace kscope {
namespace {

class BlockDeviceNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("kscope-sysfs-" + std::to_string(getpid()));
    std::filesystem::create_directories(root_ + "/dev/block/7:3");
    std::ofstream(root_ + "/dev/block/7:3/uevent") << "MAJOR=7\nMINOR=3\nDEVNAME=loop3\nDEVTYPE=disk\n";
    std::filesystem::create_directories(root_ + "/dev/block/8:0");
    std::ofstream(root_ + "/dev/block/8:0/uevent") << "MAJOR=8\nDEVNAME=sd\x1b[31ma \"x\"\n";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
};

TEST_F(BlockDeviceNamesTest, NamesFromSysfsAndNumbersOtherwise) {
  BlockDeviceNames names(root_);
  EXPECT_EQ(names.name(7u << 20 | 3), "loop3");
  EXPECT_EQ(names.name(7u << 20 | 3), "loop3");  // cached
  // Not a plausible device name: the numbers stand in.
  EXPECT_EQ(names.name(8u << 20 | 0), "8:0");
  EXPECT_EQ(names.name(259u << 20 | 1), "259:1");  // no such device
  EXPECT_EQ(BlockDeviceNames::major_of(259u << 20 | 1), 259u);
  EXPECT_EQ(BlockDeviceNames::minor_of(259u << 20 | 1), 1u);
}

}  // namespace
}  // namespace kscope
