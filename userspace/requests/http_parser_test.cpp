#include "requests/http_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "requests/test_traffic.h"

namespace kscope::requests {
namespace {

using testing::traffic;

TEST(HttpParser, ParsesCurlsRequest) {
  std::string req = traffic("python_http_server.request");
  HttpHead h;
  ASSERT_EQ(parse_request_head(req, h), ParseStatus::kComplete);
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.target, "/index.html?user=42&token=s3cret");
  EXPECT_EQ(h.version, HttpVersion::k11);
  EXPECT_EQ(h.head_end, req.size());
  EXPECT_EQ(h.start_line_end, req.find('\n') + 1);
  EXPECT_FALSE(h.content_length);
  EXPECT_FALSE(h.chunked);
}

TEST(HttpParser, ParsesResponsesOfPythonAndNginx) {
  HttpHead h;
  std::string py = traffic("python_http_server.response");
  ASSERT_EQ(parse_response_head(py, h), ParseStatus::kComplete);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.version, HttpVersion::k10);
  EXPECT_EQ(h.content_length, 30u);
  EXPECT_EQ(py.size() - h.head_end, 30u);

  std::string chunked = traffic("python_chunked.response");
  ASSERT_EQ(parse_response_head(chunked, h), ParseStatus::kComplete);
  EXPECT_TRUE(h.chunked);
  EXPECT_FALSE(h.content_length);

  std::string ngx = traffic("nginx_keepalive.response");
  ASSERT_EQ(parse_response_head(ngx, h), ParseStatus::kComplete);
  EXPECT_EQ(h.content_length, 5u);
  EXPECT_FALSE(h.connection_close);
}

TEST(HttpParser, EveryPrefixOfAValidHeadIsIncompleteNeverInvalid) {
  struct Case {
    const char* file;
    ParseStatus (*parse)(std::string_view, HttpHead&);
  };
  for (Case c : {Case{"python_http_server.request", parse_request_head},
                 Case{"nginx_keepalive.request", parse_request_head},
                 Case{"python_http_server.response", parse_response_head},
                 Case{"python_chunked.response", parse_response_head},
                 Case{"nginx_keepalive.response", parse_response_head}}) {
    std::string bytes = traffic(c.file);
    HttpHead full;
    ASSERT_EQ(c.parse(bytes, full), ParseStatus::kComplete) << c.file;
    for (size_t n = 0; n < full.head_end; ++n) {
      HttpHead h;
      EXPECT_EQ(c.parse(std::string_view(bytes).substr(0, n), h), ParseStatus::kIncomplete) << c.file << n;
      EXPECT_EQ(h.start_line_end, n >= full.start_line_end ? full.start_line_end : 0u) << c.file << n;
    }
  }
}

TEST(HttpParser, MethodsOutsideTheStandardSetAreOther) {
  HttpHead h;
  ASSERT_EQ(parse_request_head("PROPFIND /dav HTTP/1.1\r\n\r\n", h), ParseStatus::kComplete);
  EXPECT_EQ(h.method, "_OTHER");
  ASSERT_EQ(parse_request_head("PATCH /x HTTP/1.0\r\n\r\n", h), ParseStatus::kComplete);
  EXPECT_EQ(h.method, "PATCH");
  EXPECT_EQ(h.version, HttpVersion::k10);
  EXPECT_EQ(canonical_method("get"), "_OTHER");  // methods are case-sensitive
}

TEST(HttpParser, HeaderFieldsThatFrameTheBody) {
  HttpHead h;
  ASSERT_EQ(parse_request_head("POST /a HTTP/1.1\r\ncontent-LENGTH:  12 \r\nConnection: keep-alive, Close\r\n\r\n", h),
            ParseStatus::kComplete);
  EXPECT_EQ(h.content_length, 12u);
  EXPECT_TRUE(h.connection_close);
  ASSERT_EQ(parse_request_head("POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", h),
            ParseStatus::kComplete);
  EXPECT_TRUE(h.chunked);
  ASSERT_EQ(parse_request_head("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", h),
            ParseStatus::kComplete);
  EXPECT_FALSE(h.chunked);
  EXPECT_TRUE(h.has_transfer_encoding);
  // Bare line feeds are accepted, as servers do.
  ASSERT_EQ(parse_response_head("HTTP/1.1 204 No Content\nX: y\n\n", h), ParseStatus::kComplete);
  EXPECT_EQ(h.status, 204);
  ASSERT_EQ(parse_response_head("HTTP/1.1 200\r\n\r\n", h), ParseStatus::kComplete);  // no reason phrase
  EXPECT_EQ(h.status, 200);
  ASSERT_EQ(parse_response_head("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", h),
            ParseStatus::kComplete);
  EXPECT_TRUE(h.upgrade);
}

TEST(HttpParser, RejectsWhatIsNotHttp) {
  HttpHead h;
  for (std::string_view bad :
       {std::string_view("\x16\x03\x01\x02\x00", 5), std::string_view("*1\r\n$4\r\nPING\r\n"),
        std::string_view("GET key\r\n"), std::string_view("GET /a HTTP/2.0\r\n"),
        std::string_view(" GET / HTTP/1.1\r\n"),
        std::string_view("GET  / HTTP/1.1\r\n"), std::string_view("GET /a\x01 HTTP/1.1\r\n"),
        std::string_view("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"),
        std::string_view("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
        std::string_view("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
        std::string_view("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 28)}) {
    EXPECT_EQ(parse_request_head(bad, h), ParseStatus::kInvalid) << bad;
  }
  for (std::string_view bad : {"HTTP/1.1 99 Low\r\n", "HTTP/1.1 600 High\r\n", "HTTP/1.1 2000 OK\r\n",
                               "HTTP/1.2 200 OK\r\n", "http/1.1 200 OK\r\n", "HTTP/1.1 20x OK\r\n"}) {
    EXPECT_EQ(parse_response_head(bad, h), ParseStatus::kInvalid) << bad;
  }
}

TEST(HttpParser, BoundsMakeHugeHeadsInvalidNotPending) {
  HttpHead h;
  std::string long_target = "GET /" + std::string(kMaxTargetLength + 1, 'a');
  EXPECT_EQ(parse_request_head(long_target, h), ParseStatus::kInvalid);
  std::string many = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i <= kMaxHeaderLines; ++i) many += "X: y\r\n";
  EXPECT_EQ(parse_request_head(many, h), ParseStatus::kInvalid);
  EXPECT_EQ(parse_request_head(std::string(kMaxMethodLength + 1, 'A'), h), ParseStatus::kInvalid);
}

TEST(HttpParser, RecognisesHttpButNotOtherTextProtocols) {
  EXPECT_TRUE(starts_like_request("GET /"));
  EXPECT_TRUE(starts_like_request("OPTIONS * HTTP/1.1\r\n"));
  EXPECT_TRUE(starts_like_request("GET http://example.com/ HTTP/1.1\r\n"));
  EXPECT_FALSE(starts_like_request("GET key\r\n"));           // Redis inline command
  EXPECT_FALSE(starts_like_request("MAIL FROM:<a@b>\r\n"));    // SMTP
  EXPECT_FALSE(starts_like_request("PROPFIND /x HTTP/1.1\r\n"));  // known once the connection is
  EXPECT_TRUE(starts_like_request("GET"));  // a head split right at its start
  EXPECT_TRUE(starts_like_request("P"));
  EXPECT_FALSE(starts_like_request("GETX"));
  EXPECT_TRUE(starts_like_response("HTT"));
  EXPECT_FALSE(starts_like_request(""));
  EXPECT_TRUE(starts_like_response("HTTP/1.1 200 OK"));
  EXPECT_FALSE(starts_like_response("HTTP/2"));
}

}  // namespace
}  // namespace kscope::requests
