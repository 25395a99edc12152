#include "requests/body_framing.h"

#include <gtest/gtest.h>

#include <string>

namespace kscope::requests {
namespace {

TEST(BodyFramer, LengthCountsSeenAndUnseenBytes) {
  BodyFramer f;
  f.start_length(1000);
  EXPECT_EQ(f.consume("abcd", 396), 400u);  // 4 captured, 396 not
  EXPECT_EQ(f.mode(), BodyFramer::Mode::kLength);
  EXPECT_EQ(f.consume("xyz", 1000), 600u);  // ends inside the call
  EXPECT_EQ(f.mode(), BodyFramer::Mode::kNone);
  f.start_length(0);
  EXPECT_FALSE(f.in_body());
}

TEST(BodyFramer, ChunkedAcrossCallsWithTrailers) {
  std::string body = "5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\nTrailer: x\r\n\r\nGET /next";
  size_t end = body.find("GET");
  // Cut at every offset into two calls: the body ends at the same byte.
  for (size_t cut = 0; cut <= end; ++cut) {
    BodyFramer f;
    f.start_chunked();
    uint64_t a = f.consume(std::string_view(body).substr(0, cut), 0);
    ASSERT_EQ(a, cut) << cut;
    uint64_t b = f.consume(std::string_view(body).substr(cut), 0);
    EXPECT_EQ(cut + b, end) << cut;
    EXPECT_EQ(f.mode(), BodyFramer::Mode::kNone) << cut;
  }
}

TEST(BodyFramer, UncapturedBytesAreSkippedInsideChunkData) {
  BodyFramer f;
  f.start_chunked();
  // A 64 KiB chunk of which the first call captured 10 bytes of 30000.
  std::string head = "10000\r\n";
  EXPECT_EQ(f.consume(head + "0123", 30000 - head.size() - 4), 30000u);
  EXPECT_EQ(f.mode(), BodyFramer::Mode::kChunked);
  // The rest of the data (65536 - 29993 = 35543 bytes), then the last chunk.
  std::string tail = "\r\n0\r\n\r\n";
  uint64_t data_left = 65536 - (30000 - head.size());
  EXPECT_EQ(f.consume("", data_left), data_left);
  EXPECT_EQ(f.consume(tail, 0), tail.size());
  EXPECT_EQ(f.mode(), BodyFramer::Mode::kNone);
}

TEST(BodyFramer, ChunkHeaderInUncapturedBytesLosesTheFraming) {
  BodyFramer f;
  f.start_chunked();
  EXPECT_EQ(f.consume("3\r\nabc\r\n", 100), 108u);  // the next chunk size was not captured
  EXPECT_EQ(f.mode(), BodyFramer::Mode::kLost);
  f.start_chunked();
  f.consume("zz\r\n", 0);  // not a chunk size
  EXPECT_EQ(f.mode(), BodyFramer::Mode::kLost);
  f.start_chunked();
  f.consume("1234567890abcdef0\r\n", 0);  // a size no body has
  EXPECT_EQ(f.mode(), BodyFramer::Mode::kLost);
}

}  // namespace
}  // namespace kscope::requests
