#include "symbolize/eh_frame_hdr.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace kscope {
namespace {

// version 1, eh_frame_ptr pcrel|sdata4, fde_count udata4, table datarel|sdata4.
std::string header(uint32_t count) {
  std::string s = {1, 0x1b, 0x03, 0x3b};
  s += std::string(4, '\0');  // eh_frame_ptr (not used)
  s.append(reinterpret_cast<const char*>(&count), 4);
  return s;
}

void entry(std::string& s, int32_t location, int32_t fde) {
  s.append(reinterpret_cast<const char*>(&location), 4);
  s.append(reinterpret_cast<const char*>(&fde), 4);
}

TEST(EhFrameHdr, StartsAreRelativeToTheSection) {
  std::string s = header(3);
  entry(s, -0x1000, 0x100);
  entry(s, -0x800, 0x120);
  entry(s, 0x40, 0x140);
  auto starts = eh_frame_hdr_function_starts(s, 0x10000);
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_EQ(starts[0], 0xf000u);
  EXPECT_EQ(starts[1], 0xf800u);
  EXPECT_EQ(starts[2], 0x10040u);
}

TEST(EhFrameHdr, UnsortedAndRepeatedAreMadeSortedAndUnique) {
  std::string s = header(3);
  entry(s, 0x30, 0);
  entry(s, 0x10, 0);
  entry(s, 0x30, 0);
  auto starts = eh_frame_hdr_function_starts(s, 0x1000);
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0], 0x1010u);
  EXPECT_EQ(starts[1], 0x1030u);
}

TEST(EhFrameHdr, WhatDoesNotFitGivesNothing) {
  std::string s = header(3);
  entry(s, 0x10, 0);
  EXPECT_TRUE(eh_frame_hdr_function_starts(s, 0).empty()) << "a count past the section";
  std::string v2 = header(0);
  v2[0] = 2;
  EXPECT_TRUE(eh_frame_hdr_function_starts(v2, 0).empty()) << "an unknown version";
  std::string enc = header(1);
  entry(enc, 0x10, 0);
  enc[3] = 0x03;  // absolute udata4: not what linkers write
  EXPECT_TRUE(eh_frame_hdr_function_starts(enc, 0).empty());
  std::string omit = header(1);
  omit[3] = char(0xff);
  EXPECT_TRUE(eh_frame_hdr_function_starts(omit, 0).empty());
  std::string leb = header(1);
  leb[1] = 0x01;  // uleb128 eh_frame_ptr: its size is not fixed
  EXPECT_TRUE(eh_frame_hdr_function_starts(leb, 0).empty());
  EXPECT_TRUE(eh_frame_hdr_function_starts("", 0).empty());
  EXPECT_TRUE(eh_frame_hdr_function_starts(std::string("\x01\x1b\x03", 3), 0).empty());
  EXPECT_TRUE(eh_frame_hdr_function_starts(header(0), 0).empty());
}

}  // namespace
}  // namespace kscope
