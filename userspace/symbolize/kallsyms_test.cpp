#include "symbolize/kallsyms.h"

#include <fstream>

#include <gtest/gtest.h>

#include "symbolize/test_support.h"

namespace kscope {
namespace {

constexpr std::string_view kFixture =
    "ffffffff81000000 T _stext\n"
    "ffffffff81000100 t do_one\n"
    "ffffffff81000200 D some_data\n"
    "garbage line\n"
    "ffffffff81000300 T schedule\n"
    "ffffffffc0001000 t ext4_write\t[ext4]\n"
    "ffffffffc0002000 t xfs_thing\t[xfs]\n"
    "ffffffffc0001800 t ext4_read\t[ext4]\n"  // out of order: modules print unsorted
    "ffffffff810";                            // truncated last line

TEST(KernelSymbols, FindsEnclosingSymbolWithOffset) {
  auto table = KernelSymbols::parse(kFixture);
  EXPECT_FALSE(table.restricted());
  EXPECT_EQ(table.size(), 6u);
  auto sym = table.find(0xffffffff81000105);
  ASSERT_TRUE(sym);
  EXPECT_EQ(sym->name, "do_one");
  EXPECT_EQ(sym->offset, 5u);
  EXPECT_EQ(sym->module, "");
  // Data symbols are dropped: 0x...250 is still in do_one's span.
  EXPECT_EQ(table.find(0xffffffff81000250)->name, "do_one");
  EXPECT_EQ(table.find(0xffffffff81000300)->name, "schedule");
}

TEST(KernelSymbols, ModulesInBracketsAndUnsortedInput) {
  auto table = KernelSymbols::parse(kFixture);
  auto sym = table.find(0xffffffffc0001810);
  ASSERT_TRUE(sym);
  EXPECT_EQ(sym->name, "ext4_read");
  EXPECT_EQ(sym->module, "ext4");
  EXPECT_EQ(table.find(0xffffffffc0002001)->module, "xfs");
}

TEST(KernelSymbols, OutsideAnySymbolIsUnknown) {
  auto table = KernelSymbols::parse(kFixture);
  EXPECT_FALSE(table.find(0x1000));
  EXPECT_FALSE(table.find(0xffffffff80ffffff));
  // Far past the last symbol (more than any function is long).
  EXPECT_FALSE(table.find(0xffffffffc1000000));
}

TEST(KernelSymbols, AllZeroAddressesMeanRestricted) {
  auto table = KernelSymbols::parse(
      "0000000000000000 T _stext\n0000000000000000 t do_one\n0000000000000000 T schedule [m]\n");
  EXPECT_TRUE(table.restricted());
  EXPECT_EQ(table.size(), 0u);
  EXPECT_FALSE(table.find(0));
  EXPECT_FALSE(table.find(0xffffffff81000000));
}

TEST(KernelSymbols, LoadsFromPathAndReportsMissingFile) {
  testing::TempDir dir;
  auto path = dir.write("kallsyms", kFixture);
  auto table = KernelSymbols::load(path);
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  EXPECT_EQ(table->find(0xffffffff81000301)->name, "schedule");
  auto missing = KernelSymbols::load(dir.path() + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().errno_value(), ENOENT);
}

TEST(KernelSymbols, RealKallsymsParses) {
  auto table = KernelSymbols::load();
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  if (table->restricted()) GTEST_SKIP() << "kptr_restrict hides kernel addresses from this user";
  EXPECT_GT(table->size(), 1000u);
  // The address kallsyms gives for a well-known function names it back.
  std::ifstream in("/proc/kallsyms");
  std::string address, type, name;
  while (in >> address >> type >> name && name != "schedule") in.ignore(4096, '\n');
  ASSERT_EQ(name, "schedule");
  auto sym = table->find(std::stoull(address, nullptr, 16) + 4);
  ASSERT_TRUE(sym);
  EXPECT_EQ(sym->name, "schedule");
  EXPECT_EQ(sym->offset, 4u);
}

}  // namespace
}  // namespace kscope
