#include "history/shared_strings.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(SharedStrings, OneCopyPerTextUntilTheLastRelease) {
  SharedStrings strings;
  const std::string* a = strings.acquire("kscope_syscall_latency_seconds");
  const std::string* b = strings.acquire(std::string("kscope_syscall_latency_seconds"));
  const std::string* c = strings.acquire("comm");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(*a, "kscope_syscall_latency_seconds");
  EXPECT_EQ(strings.size(), 2u);
  const size_t both = strings.bytes();

  strings.release(a);
  EXPECT_EQ(strings.size(), 2u);  // b still holds it
  EXPECT_EQ(*b, "kscope_syscall_latency_seconds");
  strings.release(b);
  EXPECT_EQ(strings.size(), 1u);
  EXPECT_LT(strings.bytes(), both);
  strings.release(c);
  EXPECT_EQ(strings.size(), 0u);
  EXPECT_EQ(strings.bytes(), 0u);
}

TEST(SharedStrings, LongTextsCountTheirCharacters) {
  SharedStrings strings;
  strings.acquire("x");
  const size_t small = strings.bytes();
  strings.acquire(std::string(1000, 'y'));
  EXPECT_GE(strings.bytes() - small, 1000u);
}

TEST(SharedStrings, AnyBytesAndAForeignPointerIsIgnored) {
  SharedStrings strings;
  const std::string odd("a\0b\n\xff", 5);
  const std::string* held = strings.acquire(odd);
  EXPECT_NE(held, strings.acquire(std::string_view("a", 1)));  // not cut at the NUL
  const std::string foreign = odd;
  strings.release(&foreign);  // equal text, not ours: nothing dropped
  EXPECT_EQ(strings.size(), 2u);
  EXPECT_EQ(*held, odd);
}

}  // namespace
}  // namespace kscope
