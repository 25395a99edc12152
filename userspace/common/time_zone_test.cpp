#include "common/time_zone.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace kscope {
namespace {

int64_t utc(int y, unsigned m, unsigned d, int h, int min = 0) { return days_from_civil(y, m, d) * 86400 + h * 3600 + min * 60; }

TEST(TimeZone, BerlinSummerAndWinterFromTheTzDatabase) {
  auto z = TimeZone::load("Europe/Berlin");
  if (!z) GTEST_SKIP() << "no tzdata: " << z.error().to_string();
  EXPECT_EQ(z->offset_at(utc(2026, 1, 15, 12)), 3600);
  EXPECT_EQ(z->offset_at(utc(2026, 7, 15, 12)), 7200);
  // 2026-03-29 01:00 UTC is when Berlin springs forward.
  EXPECT_EQ(z->offset_at(utc(2026, 3, 29, 0, 59)), 3600);
  EXPECT_EQ(z->offset_at(utc(2026, 3, 29, 1, 0)), 7200);
  // Far past the file's last transition: from the footer rule.
  EXPECT_EQ(z->offset_at(utc(2090, 7, 1, 0)), 7200);
  EXPECT_EQ(z->offset_at(utc(2090, 12, 1, 0)), 3600);
}

TEST(TimeZone, SouthernHemisphereRuleWrapsTheYear) {
  auto z = TimeZone::load("Australia/Sydney");
  if (!z) GTEST_SKIP() << "no tzdata";
  EXPECT_EQ(z->offset_at(utc(2090, 1, 10, 0)), 11 * 3600);
  EXPECT_EQ(z->offset_at(utc(2090, 6, 10, 0)), 10 * 3600);
}

TEST(TimeZone, RefusesNamesOutsideTheDatabaseAndJunk) {
  EXPECT_FALSE(TimeZone::load("../etc/passwd"));
  EXPECT_FALSE(TimeZone::load("/etc/localtime"));
  EXPECT_FALSE(TimeZone::load("Mars/Olympus_Mons"));
  EXPECT_FALSE(TimeZone::parse("x", "TZif2 short"));
  std::string huge_counts = std::string("TZif2") + std::string(15, '\0') + std::string(24, '\xff');
  EXPECT_FALSE(TimeZone::parse("x", huge_counts));
}

TEST(TimeZone, TruncatedFileIsAnErrorNotACrash) {
  std::ifstream in("/usr/share/zoneinfo/Europe/Berlin", std::ios::binary);
  if (!in) GTEST_SKIP() << "no tzdata";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  for (size_t n = 0; n < all.size(); n += 37) {
    auto z = TimeZone::parse("cut", all.substr(0, n));
    if (z) (void)z->offset_at(0);
  }
  SUCCEED();
}

TEST(TimeZone, CivilDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(year_of_days(days_from_civil(2024, 12, 31)), 2024);
  EXPECT_EQ(year_of_days(days_from_civil(2025, 1, 1)), 2025);
}

}  // namespace
}  // namespace kscope
