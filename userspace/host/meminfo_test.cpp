#include "host/meminfo.h"

#include <gtest/gtest.h>

#include "host/test_sample.h"

namespace kscope::host {
namespace {

const MeminfoField* find(const std::vector<MeminfoField>& f, const std::string& name) {
  for (const auto& x : f) {
    if (x.name == name) return &x;
  }
  return nullptr;
}

TEST(Meminfo, ParsesARealFileInNodeExportersNames) {
  auto f = parse_meminfo(sample("meminfo.txt"));
  EXPECT_GE(f.size(), 50u);
  const auto* total = find(f, "MemTotal_bytes");
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(total->value, 24683784.0 * 1024);
  ASSERT_NE(find(f, "MemAvailable_bytes"), nullptr);
  const auto* anon = find(f, "Active_anon_bytes");  // Active(anon)
  ASSERT_NE(anon, nullptr);
  EXPECT_EQ(anon->value, 92.0 * 1024);
  EXPECT_NE(find(f, "Inactive_file_bytes"), nullptr);
  // Counts without a unit keep their name.
  const auto* huge = find(f, "HugePages_Total");
  ASSERT_NE(huge, nullptr);
  EXPECT_EQ(find(f, "HugePages_Total_bytes"), nullptr);
}

TEST(Meminfo, SkipsHostileLines) {
  auto f = parse_meminfo(
      "MemTotal:\n"                          // truncated
      "Bad Name:  12 kB\n"                   // a space in the name
      "Evil\"}x: 1 kB\n"                     // a character a metric name cannot hold
      "Weird:  12 MB\n"                      // an unknown unit
      "Huge:  99999999999999999999999 kB\n"  // past 64 bits
      "NoColon 5 kB\n"
      "Ok(x):  3 kB\n"
      "Ok(x):  4 kB\n");                     // repeated: the first stays
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].name, "Ok_x_bytes");
  EXPECT_EQ(f[0].value, 3072);
}

TEST(Meminfo, KeepsAtMostTheFieldCap) {
  std::string text;
  for (size_t i = 0; i < kMaxMeminfoFields + 5; ++i) text += "F" + std::to_string(i) + ": 1 kB\n";
  EXPECT_EQ(parse_meminfo(text).size(), kMaxMeminfoFields);
}

}  // namespace
}  // namespace kscope::host
