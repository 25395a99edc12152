#include "symbolize/demangle.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(Demangle, Cpp) {
  EXPECT_EQ(demangle("_ZN6kscope10SymbolizerC2Ev"), "kscope::Symbolizer::Symbolizer()");
  EXPECT_EQ(demangle("_Z3fooi"), "foo(int)");
}

TEST(Demangle, RustLegacyDropsHashAndDecodesEscapes) {
  EXPECT_EQ(demangle("_ZN4core3ptr13drop_in_place17h0123456789abcdefE"),
            "core::ptr::drop_in_place");
  EXPECT_EQ(demangle("_ZN60_$LT$alloc..string..String$u20$as$u20$core..fmt..Display$GT$"
                     "3fmt17h8bd2e1d94fcc3a12E"),
            "<alloc::string::String as core::fmt::Display>::fmt");
}

TEST(Demangle, PlainAndInvalidNamesPassThrough) {
  EXPECT_EQ(demangle("main"), "main");
  EXPECT_EQ(demangle("_Zgarbage!"), "_Zgarbage!");
  EXPECT_EQ(demangle(""), "");
  EXPECT_EQ(demangle("_RNvCs1234_7mycrate3foo"), "_RNvCs1234_7mycrate3foo");
}

TEST(Demangle, HugeHostileNameIsNotDemangled) {
  std::string hostile = "_Z";
  for (int i = 0; i < 10000; ++i) hostile += "PF";
  EXPECT_EQ(demangle(hostile), hostile);
}

}  // namespace
}  // namespace kscope
