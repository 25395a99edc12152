#include "requests/protocol_recognition.h"

#include <gtest/gtest.h>

#include <string>

#include "requests/db_test_traffic.h"

namespace kscope::requests {
namespace {

std::string first_call(const std::string& file) {
  auto calls = testing::recorded_calls(file);
  return calls.empty() ? std::string() : calls[0].bytes;
}

TEST(ProtocolRecognition, RecordedFirstBytesOfRealClients) {
  EXPECT_EQ(recognize_protocol(first_call("redis_benchmark.2.calls"), 0), L7Protocol::kRedis);
  EXPECT_EQ(recognize_protocol(first_call("redis_multi.calls"), 0), L7Protocol::kRedis);
  EXPECT_EQ(recognize_protocol(first_call("pg_simple.calls"), 0), L7Protocol::kPostgres);  // SSLRequest
  EXPECT_EQ(recognize_protocol(first_call("pgbench_prepared.calls"), 0), L7Protocol::kPostgres);
  auto pg = testing::recorded_calls("pg_simple.calls");
  ASSERT_GE(pg.size(), 3u);
  EXPECT_EQ(recognize_protocol(pg[2].bytes, 0), L7Protocol::kPostgres);  // StartupMessage
  // A MySQL server speaks first: both ends see its greeting first.
  EXPECT_EQ(recognize_protocol(first_call("mysql_simple.calls"), 0), L7Protocol::kMySql);
  EXPECT_EQ(recognize_protocol(first_call("mysql_prepared.calls"), 0), L7Protocol::kMySql);
  EXPECT_EQ(recognize_protocol(std::string("\x4a\x00\x00\x00\x0a" "8.0.35\x00", 12), 0), L7Protocol::kMySql);
  EXPECT_EQ(recognize_protocol(testing::traffic("nginx_keepalive.request"), 0), L7Protocol::kHttp);
  EXPECT_EQ(recognize_protocol(testing::traffic("nginx_keepalive.response"), 0), L7Protocol::kHttp);
}

TEST(ProtocolRecognition, PortIsAHintOnlyForAmbiguousBytes) {
  EXPECT_EQ(recognize_protocol("+OK\r\n", 6379), L7Protocol::kRedis);
  EXPECT_EQ(recognize_protocol("+OK\r\n", 0), L7Protocol::kUnknown);
  EXPECT_EQ(recognize_protocol("PING\r\n", 6379), L7Protocol::kRedis);
  EXPECT_EQ(recognize_protocol("PING\r\n", 0), L7Protocol::kUnknown);
  EXPECT_EQ(recognize_protocol(std::string("Q\0\0\0\x0dSELECT 1\0", 14), 5432), L7Protocol::kPostgres);
  EXPECT_EQ(recognize_protocol(std::string("Q\0\0\0\x0dSELECT 1\0", 14), 0), L7Protocol::kUnknown);
  EXPECT_EQ(recognize_protocol(std::string("\x09\x00\x00\x00\x03SELECT 1", 13), 3306), L7Protocol::kMySql);
  EXPECT_EQ(recognize_protocol(std::string("\x05\x00\x00\x00\x17\x01\x00\x00\x00", 9), 3306), L7Protocol::kMySql);
  // Bytes that say what they are win over the port.
  EXPECT_EQ(recognize_protocol("GET / HTTP/1.1\r\n\r\n", 6379), L7Protocol::kHttp);
  EXPECT_EQ(recognize_protocol("*1\r\n$4\r\nPING\r\n", 5432), L7Protocol::kRedis);
}

TEST(ProtocolRecognition, WhatMustNotBeRecognised) {
  for (std::string b : {
           std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // TLS ClientHello
           std::string("PRI * HTTP/1.1\r\n"),                                // not the HTTP/2 preface
           std::string("\0\0\x06\x04\x01\0\0\0\0", 9),  // a SETTINGS ACK with a payload: not a first frame
           std::string("SSH-2.0-OpenSSH_9.2\r\n"),
           std::string("EHLO mail.example\r\n"),
           std::string("220 smtp ready\r\n"),
           std::string("GET key\r\n"),  // a Redis inline GET, without the port: not HTTP either
           std::string("G"),
           std::string("*"),
           std::string("*abc\r\n"),
           std::string("*0\r\n"),
           std::string("*1\r\n:1\r\n"),
           std::string("\x4a\x00\x00\x00\x09" "8.0.35\x00", 12),  // a MySQL greeting of protocol 9
           std::string("\x4a\x00\x00\x00\x0a" "v8.0.35\x00", 13),  // ... a version not a number
           std::string("\x4a\x00\x00\x00\x0a" "8.0.35", 11),        // ... not ended in the capture
           std::string("\x4a\x00\x00\x01\x0a" "8.0.35\x00", 12),  // ... not the first packet
           std::string("\x09\x00\x00\x00\x03SELECT 1", 13),         // a MySQL COM_QUERY off its port
           std::string("\0\0\0\x08\x04\xd2\x16\x31", 8),          // SSLRequest with a wrong code
           std::string("\0\0\0\x07\x04\xd2\x16\x2f", 8),          // SSLRequest with a wrong length
           std::string("\0\0\0\x20\0\x02\0\0user\0", 13),           // protocol 2
           std::string("\0\0\0\x20\0\x03\0\0\x01\x02", 10),        // protocol 3 then no parameter name
           std::string(64, '\0'),
           std::string(),
       }) {
    EXPECT_EQ(recognize_protocol(b, 0), L7Protocol::kUnknown) << b.size();
  }
  EXPECT_EQ(recognize_protocol(std::string(64, '\0'), 5432), L7Protocol::kUnknown);
  EXPECT_EQ(recognize_protocol("\x01\x02\x03", 6379), L7Protocol::kUnknown);
  EXPECT_EQ(recognize_protocol("HELLOWORLD\r\n", 6379), L7Protocol::kUnknown);
}

TEST(ProtocolRecognition, Http2ByPrefaceOrServerSettings) {
  EXPECT_EQ(recognize_protocol("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0), L7Protocol::kHttp2);
  EXPECT_EQ(recognize_protocol("PRI * HTTP/2", 6379), L7Protocol::kHttp2);
  EXPECT_EQ(recognize_protocol(std::string("\0\0\x0c\x04\0\0\0\0\0\0\x03\0\0\0\x64", 15), 0), L7Protocol::kHttp2);
  EXPECT_TRUE(looks_like_h2_frames(std::string("\0\0\x04\x08\0\0\0\0\0\0\0\x10\0", 13)));  // WINDOW_UPDATE
  EXPECT_FALSE(looks_like_h2_frames("GET / HTTP/1.1\r\n"));
  EXPECT_FALSE(looks_like_h2_frames(std::string(64, '\0')));
  EXPECT_EQ(l7_protocol_name(L7Protocol::kHttp2), "http2");
}

TEST(ProtocolRecognition, Names) {
  EXPECT_EQ(l7_protocol_name(L7Protocol::kPostgres), "postgresql");
  EXPECT_EQ(l7_protocol_name(L7Protocol::kMySql), "mysql");
  EXPECT_EQ(l7_protocol_name(L7Protocol::kRedis), "redis");
  EXPECT_EQ(l7_protocol_name(L7Protocol::kHttp), "http");
  EXPECT_EQ(l7_protocol_name(L7Protocol::kUnknown), "unknown");
}

}  // namespace
}  // namespace kscope::requests
