#include "export/http_message.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(HttpMessage, SplitTargetDecodesThePathAndKeepsTheQueryRaw) {
  HttpRequest r;
  ASSERT_TRUE(split_target("/a%20b/c?x=1%202&y", r));
  EXPECT_EQ(r.path, "/a b/c");
  EXPECT_EQ(r.query, "x=1%202&y");
  EXPECT_EQ(r.param("x"), "1 2");
  EXPECT_TRUE(r.has_param("y"));
  EXPECT_FALSE(r.has_param("z"));
}

TEST(HttpMessage, SplitTargetRefusesAllButOriginForm) {
  HttpRequest r;
  EXPECT_FALSE(split_target("", r));
  EXPECT_FALSE(split_target("*", r));
  EXPECT_FALSE(split_target("http://example.com/metrics", r));
}

TEST(HttpMessage, UrlDecodeLeavesBadEscapesAlone) {
  EXPECT_EQ(url_decode("%zz%4", false), "%zz%4");
  EXPECT_EQ(url_decode("a+b%2B", true), "a b+");
  EXPECT_EQ(url_decode("a+b", false), "a+b");
}

TEST(HttpMessage, ResponseIsOneBufferWithLengthAndHeaders) {
  HttpResponse r = HttpResponse::json("{}\n");
  r.headers.emplace_back("Vary", "Accept");
  std::string s = serialize_response(r, false, true);
  EXPECT_EQ(s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
            "X-Content-Type-Options: nosniff\r\nVary: Accept\r\n\r\n{}\n");
  // HEAD: the length of the body that a GET would get, and no body.
  std::string head = serialize_response(r, true, false);
  EXPECT_NE(head.find("Content-Length: 3\r\n"), std::string::npos);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

TEST(HttpMessage, AHeaderWithALineBreakIsNotWritten) {
  HttpResponse r;
  r.headers.emplace_back("X-A", "ok\r\nSet-Cookie: evil");
  EXPECT_EQ(serialize_response(r, false, true).find("evil"), std::string::npos);
}

}  // namespace
}  // namespace kscope
