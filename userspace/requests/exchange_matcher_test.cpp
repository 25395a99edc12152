#include "requests/exchange_matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "requests/test_traffic.h"

namespace kscope::requests {
namespace {

using testing::Conn;
using testing::drops;
using testing::kMs;
using testing::Recorder;
using testing::total_drops;
using testing::traffic;

// The three requests and three responses of curl's keep-alive connection
// to nginx, cut into their messages.
struct NginxKeepAlive {
  std::vector<std::string> requests, responses;
  NginxKeepAlive() {
    std::string req = traffic("nginx_keepalive.request");
    for (size_t pos = 0; pos < req.size();) {
      size_t end = req.find("\r\n\r\n", pos) + 4;
      requests.push_back(req.substr(pos, end - pos));
      pos = end;
    }
    std::string resp = traffic("nginx_keepalive.response");
    for (size_t pos = 0; pos < resp.size();) {
      size_t next = resp.find("HTTP/1.1 ", pos + 1);
      if (next == std::string::npos) next = resp.size();
      responses.push_back(resp.substr(pos, next - pos));
      pos = next;
    }
  }
};

TEST(ExchangeMatcher, KeepAliveServerExchangesInOrderWithTheirLatency) {
  NginxKeepAlive t;
  ASSERT_EQ(t.requests.size(), 3u);
  ASSERT_EQ(t.responses.size(), 3u);
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn c;
  m.on_connection(c.open(0));
  for (size_t i = 0; i < 3; ++i) {
    uint64_t t0 = (i + 1) * 100 * kMs;
    testing::exchange(m, c, t0, t.requests[i],
                      t0 + (i + 1) * kMs, t.responses[i]);
  }
  m.on_connection(c.close(1000 * kMs));
  ASSERT_EQ(r.seen.size(), 3u);
  EXPECT_EQ(r.seen[0].target, "/users/17?x=1");
  EXPECT_EQ(r.seen[0].status, 200);
  EXPECT_EQ(r.seen[0].duration_ns, 1 * kMs);
  EXPECT_EQ(r.seen[1].status, 503);
  EXPECT_EQ(r.seen[1].duration_ns, 2 * kMs);
  EXPECT_EQ(r.seen[2].target, "/index.html");
  EXPECT_EQ(r.seen[2].duration_ns, 3 * kMs);
  EXPECT_EQ(r.seen[2].role, Role::kServer);
  EXPECT_EQ(total_drops(m), 0u);
  EXPECT_EQ(m.connections(), 0u);
}

TEST(ExchangeMatcher, PipelinedRequestsInOneReadGetTheirOwnResponses) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn c;
  m.on_data(c.read(10 * kMs, traffic("nginx_keepalive.request")));  // three requests, one read
  NginxKeepAlive t;
  for (size_t i = 0; i < 3; ++i) m.on_data(c.write((11 + i) * kMs, t.responses[i]));
  ASSERT_EQ(r.seen.size(), 3u);
  EXPECT_EQ(r.seen[0].status, 200);
  EXPECT_EQ(r.seen[1].status, 503);
  EXPECT_EQ(r.seen[1].target, "/fail");
  EXPECT_EQ(r.seen[2].status, 200);
  EXPECT_EQ(r.seen[2].duration_ns, 3 * kMs);
  // And the three responses in one write as well.
  Conn c2;
  c2.id.fd = 8;
  testing::exchange(m, c2, 10 * kMs, traffic("nginx_keepalive.request"),
                    12 * kMs, traffic("nginx_keepalive.response"));
  ASSERT_EQ(r.seen.size(), 6u);
  EXPECT_EQ(r.seen[4].status, 503);
  EXPECT_EQ(total_drops(m), 0u);
}

TEST(ExchangeMatcher, ClientRoleTimesFromRequestWriteToResponseRead) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn c;
  c.role = Role::kClient;
  m.on_connection(c.open(0, testing::ipv4(10, 0, 0, 2, 8080)));
  m.on_data(c.write(5 * kMs, traffic("python_http_server.request")));
  m.on_data(c.read(25 * kMs, traffic("python_http_server.response")));
  m.on_connection(c.close(30 * kMs));
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].role, Role::kClient);
  EXPECT_EQ(r.seen[0].duration_ns, 20 * kMs);
  EXPECT_EQ(total_drops(m), 0u);
}

TEST(ExchangeMatcher, RoleOfAConnectionOpenedBeforeKscopeComesFromItsMessages) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn server, client;
  server.role = client.role = Role::kUnknown;
  client.id.fd = 9;
  testing::exchange(m, server, 1 * kMs, traffic("python_http_server.request"),
                    2 * kMs, traffic("python_http_server.response"));
  m.on_data(client.write(1 * kMs, traffic("python_http_server.request")));
  m.on_data(client.read(4 * kMs, traffic("python_http_server.response")));
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_EQ(r.seen[0].role, Role::kServer);
  EXPECT_EQ(r.seen[1].role, Role::kClient);
  EXPECT_EQ(r.seen[1].duration_ns, 3 * kMs);
}

TEST(ExchangeMatcher, ChunkedBodyOverManyWritesIsNotANewResponse) {
  // python's chunked response: its first chunk's data is "HTTP/1.1 200 OK".
  std::string resp = traffic("python_chunked.response");
  std::string req = traffic("python_chunked.request");
  for (size_t step : {1, 2, 7, 17, 64, 1000}) {
    Recorder r;
    ExchangeMatcher m({}, r.sink());
    Conn c;
    m.on_data(c.read(1 * kMs, req));
    for (size_t pos = 0; pos < resp.size(); pos += step) {
      m.on_data(c.write(2 * kMs + pos, std::string_view(resp).substr(pos, step)));
    }
    // The next exchange on the same connection is still matched.
    testing::exchange(m, c, 10 * kMs, req,
                      12 * kMs, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    ASSERT_EQ(r.seen.size(), 2u) << step;
    EXPECT_EQ(r.seen[0].status, 200) << step;
    EXPECT_EQ(r.seen[1].status, 404) << step;
    EXPECT_EQ(r.seen[1].duration_ns, 2 * kMs) << step;
    EXPECT_EQ(total_drops(m), 0u) << step;
  }
}

TEST(ExchangeMatcher, LargeBodyOverManyTruncatedWritesIsSkippedByItsLength) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn c;
  c.capture = 64;  // the probe copies 64 bytes of each call
  // A 1 MB upload in 16 KiB reads whose bytes look like responses and requests.
  const size_t body = 1 << 20;
  std::string upload = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body) + "\r\n\r\n";
  m.on_data(c.read(1 * kMs, upload));
  std::string piece = "GET /fake HTTP/1.1\r\n\r\n" + std::string(16384 - 22, 'a');
  for (size_t sent = 0; sent < body; sent += piece.size()) m.on_data(c.read(2 * kMs, piece));
  m.on_data(c.write(5 * kMs, "HTTP/1.1 201 Created\r\nContent-Length: " + std::to_string(body) + "\r\n\r\n"));
  std::string out = "HTTP/1.1 500 Fake\r\n\r\n" + std::string(16384 - 21, 'b');
  for (size_t sent = 0; sent < body; sent += out.size()) m.on_data(c.write(6 * kMs, out));
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].method, "POST");
  EXPECT_EQ(r.seen[0].status, 201);
  EXPECT_EQ(r.seen[0].duration_ns, 4 * kMs);
  EXPECT_EQ(total_drops(m), 0u);
}

TEST(ExchangeMatcher, BodiesSentBySendfileDoNotSwallowTheNextResponse) {
  // nginx with `sendfile on` writes the head, then the file by sendfile(),
  // which the capture does not see: only heads arrive, each announcing a
  // body that never comes through write().
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn c;
  for (uint64_t i = 0; i < 3; ++i) {
    testing::exchange(m, c, (10 * i + 1) * kMs, "GET /page.html HTTP/1.1\r\nHost: x\r\n\r\n", (10 * i + 3) * kMs,
                      "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\nConnection: keep-alive\r\n\r\n");
  }
  ASSERT_EQ(r.seen.size(), 3u);
  EXPECT_EQ(r.seen[2].duration_ns, 2 * kMs);
  EXPECT_EQ(total_drops(m), 0u);
}

TEST(ExchangeMatcher, ApacheBenchKeepAliveAgainstNginxCountsEveryRequest) {
  // ab -k -n 40 -c 1 (HTTP/1.0 with keep-alive) against nginx serving a
  // 2000-byte file without sendfile; the capture copies 256 bytes of each
  // call.
  std::string req = traffic("ab_keepalive.request");
  std::string resp = traffic("ab_keepalive.response");
  std::vector<std::string_view> requests, responses;
  for (size_t pos = 0, rpos = 0; pos < req.size();) {
    size_t end = req.find("\r\n\r\n", pos) + 4;
    size_t rend = std::min(resp.find("HTTP/1.1 ", rpos + 1), resp.size());
    requests.push_back(std::string_view(req).substr(pos, end - pos));
    responses.push_back(std::string_view(resp).substr(rpos, rend - rpos));
    pos = end;
    rpos = rend;
  }
  ASSERT_EQ(requests.size(), 40u);
  ASSERT_EQ(responses.size(), 40u);
  // The calls as nginx makes them: a read per request, a write per response.
  {
    Recorder r;
    ExchangeMatcher m({}, r.sink());
    Conn c;
    c.capture = 256;
    for (size_t i = 0; i < 40; ++i) {
      testing::exchange(m, c, (2 * i + 1) * kMs, requests[i], (2 * i + 2) * kMs, responses[i]);
    }
    ASSERT_EQ(r.seen.size(), 40u);
    EXPECT_EQ(r.seen[39].duration_ns, 1 * kMs);
    EXPECT_EQ(total_drops(m), 0u);
  }
  // The responses cut at other places (as a proxy relaying them might
  // write): whatever is missed is counted, and a head at the start of a
  // call puts the stream back on track.
  for (size_t piece : {200, 1448, 4096}) {
    Recorder r;
    ExchangeMatcher m({}, r.sink());
    Conn c;
    c.capture = 256;
    for (auto q : requests) m.on_data(c.read(1 * kMs, q));
    for (size_t pos = 0; pos < resp.size(); pos += piece) {
      m.on_data(c.write(2 * kMs, std::string_view(resp).substr(pos, piece)));
    }
    m.on_connection(c.close(3 * kMs));
    EXPECT_EQ(r.seen.size() + total_drops(m), 40u) << piece;  // every request once
    if (piece <= 256) {
      EXPECT_EQ(r.seen.size(), 40u);  // each call captured whole
    }
  }
}

TEST(ExchangeMatcher, TruncationAtEveryByteOfARequestNeverCrashesAndCountsTheDrop) {
  std::string req = traffic("nginx_keepalive.request").substr(0, NginxKeepAlive().requests[0].size());
  const size_t line_end = req.find('\n') + 1;
  for (size_t cap = 1; cap <= req.size(); ++cap) {
    Recorder r;
    ExchangeMatcher m({}, r.sink());
    Conn c;
    c.capture = cap;
    m.on_connection(c.open(0));
    // A keep-alive connection: one exchange seen whole, then one cut at cap.
    Conn whole = c;
    whole.capture = 4096;
    testing::exchange(m, whole, 0, req,
                      0, testing::kOkEmpty);
    r.seen.clear();
    testing::exchange(m, c, 1 * kMs, req,
                      2 * kMs, testing::kOkEmpty);
    // The next exchange begins in a call of its own: matched again.
    testing::exchange(m, c, 3 * kMs, req,
                      5 * kMs, "HTTP/1.1 204 No Content\r\n\r\n");
    if (cap < line_end) {
      // The request line itself was cut: the request is dropped, and its
      // response is not also counted as one without a request.
      EXPECT_EQ(drops(m, DropReason::kTruncated), 2u) << cap;
      EXPECT_EQ(drops(m, DropReason::kResponseWithoutRequest), 0u) << cap;
      EXPECT_TRUE(r.seen.empty()) << cap;
    } else {
      // Header fields cut: the request still counts (framing unknown).
      EXPECT_EQ(total_drops(m), 0u) << cap;
      ASSERT_EQ(r.seen.size(), 2u) << cap;
      EXPECT_EQ(r.seen[0].target, "/users/17?x=1");
      EXPECT_EQ(r.seen[1].status, 204);
      EXPECT_EQ(r.seen[1].duration_ns, 2 * kMs);
    }
  }
}

TEST(ExchangeMatcher, HeadSplitAcrossReadsAtEveryByteIsJoined) {
  std::string req = traffic("python_http_server.request");
  std::string resp = traffic("python_http_server.response");
  for (size_t cut = 1; cut < req.size(); ++cut) {
    Recorder r;
    ExchangeMatcher m({}, r.sink());
    Conn c;
    m.on_data(c.read(1 * kMs, std::string_view(req).substr(0, cut)));
    m.on_data(c.read(2 * kMs, std::string_view(req).substr(cut)));
    // The response's head is split at the same offset.
    m.on_data(c.write(3 * kMs, std::string_view(resp).substr(0, cut)));
    m.on_data(c.write(3 * kMs + 1, std::string_view(resp).substr(cut)));
    ASSERT_EQ(r.seen.size(), 1u) << cut;
    EXPECT_EQ(r.seen[0].duration_ns, 2 * kMs) << cut;  // from the read of the request line
    EXPECT_EQ(total_drops(m), 0u) << cut;
  }
}

TEST(ExchangeMatcher, ReusedFdNeverInheritsTheOldRequest) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn old_conn;
  m.on_connection(old_conn.open(0));
  m.on_data(old_conn.read(1 * kMs, traffic("python_http_server.request")));
  // Its close was lost; 100 s later the fd is a new connection.
  Conn fresh = old_conn;
  fresh.id.generation = 3;
  m.on_connection(fresh.open(100000 * kMs));
  testing::exchange(m, fresh, 100001 * kMs, traffic("python_http_server.request"),
                    100011 * kMs, traffic("python_http_server.response"));
  // A late event of the old generation is ignored.
  m.on_data(old_conn.write(100012 * kMs, traffic("python_http_server.response")));
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].duration_ns, 10 * kMs);
  EXPECT_EQ(drops(m, DropReason::kClosedInFlight), 1u);
  EXPECT_EQ(total_drops(m), 1u);
}

TEST(ExchangeMatcher, CloseInFlightAndResponseWithoutRequestAreCounted) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn c;
  m.on_connection(c.open(0));
  testing::exchange(m, c, 1 * kMs, traffic("nginx_keepalive.request"),
                    2 * kMs, NginxKeepAlive().responses[0]);
  m.on_connection(c.close(3 * kMs));
  EXPECT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(drops(m, DropReason::kClosedInFlight), 2u);

  Conn d;
  d.id.fd = 11;
  m.on_connection(d.open(0));
  m.on_data(d.write(1 * kMs, traffic("python_http_server.response")));
  EXPECT_EQ(drops(m, DropReason::kResponseWithoutRequest), 1u);
}

TEST(ExchangeMatcher, InFlightLimitDropsTheNewestAndKeepsTheOrder) {
  Recorder r;
  MatcherLimits limits;
  limits.max_in_flight = 2;
  ExchangeMatcher m(limits, r.sink());
  Conn c;
  m.on_data(c.read(1 * kMs, traffic("nginx_keepalive.request")));  // three requests
  NginxKeepAlive t;
  for (size_t i = 0; i < 3; ++i) m.on_data(c.write((2 + i) * kMs, t.responses[i]));
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_EQ(r.seen[1].status, 503);
  EXPECT_EQ(drops(m, DropReason::kInFlightFull), 1u);
  EXPECT_EQ(drops(m, DropReason::kResponseWithoutRequest), 0u);
}

TEST(ExchangeMatcher, FullTableCountsRequestsAndIdleConnectionsMakeRoom) {
  Recorder r;
  MatcherLimits limits;
  limits.max_connections = 1;
  limits.idle_timeout_ns = 1000 * kMs;
  ExchangeMatcher m(limits, r.sink());
  Conn a, b;
  b.id.fd = 12;
  m.on_connection(a.open(0));
  m.on_data(a.read(1 * kMs, traffic("python_http_server.request")));
  m.on_data(b.read(2 * kMs, traffic("python_http_server.request")));
  EXPECT_EQ(drops(m, DropReason::kTableFull), 1u);
  // Later, a is idle: it is evicted (its request counted) to make room.
  testing::exchange(m, b, 5000 * kMs, traffic("python_http_server.request"),
                    5001 * kMs, traffic("python_http_server.response"));
  EXPECT_EQ(drops(m, DropReason::kEvictedInFlight), 1u);
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(m.connections(), 1u);
  m.evict_idle(10000 * kMs);
  EXPECT_EQ(m.connections(), 0u);
  EXPECT_EQ(drops(m, DropReason::kEvictedInFlight), 1u);  // nothing was waiting on b
}

TEST(ExchangeMatcher, InterimHeadAndUpgradeResponses) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn c;
  testing::exchange(m, c, 1 * kMs, "POST /p HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
                    2 * kMs, "HTTP/1.1 100 Continue\r\n\r\n");
  testing::exchange(m, c, 3 * kMs, "abc",
                    5 * kMs, testing::kOkEmpty);
  // The response to HEAD has a length but no body: the next bytes are the
  // next response (here one that answers nothing).
  m.on_data(c.read(6 * kMs, "HEAD /h HTTP/1.1\r\n\r\n"));
  m.on_data(c.write(7 * kMs,
                    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
                    "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"));
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_EQ(r.seen[0].status, 200);
  EXPECT_EQ(r.seen[0].duration_ns, 4 * kMs);  // the final response, not 100 Continue
  EXPECT_EQ(r.seen[1].method, "HEAD");
  EXPECT_EQ(drops(m, DropReason::kResponseWithoutRequest), 1u);

  // After 101, the connection speaks another protocol: not parsed.
  Conn ws;
  ws.id.fd = 20;
  testing::exchange(m, ws, 1 * kMs, "GET /chat HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
                    2 * kMs, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n");
  m.on_data(ws.read(3 * kMs, "GET / HTTP/1.1\r\n\r\n"));  // frame bytes that look like HTTP
  m.on_data(ws.write(4 * kMs, "\x81\x05hello"));
  EXPECT_EQ(r.seen.size(), 3u);
  EXPECT_EQ(r.seen[2].status, 101);
  EXPECT_EQ(drops(m, DropReason::kResponseWithoutRequest), 1u);
  EXPECT_EQ(drops(m, DropReason::kUnparsed), 0u);
}

TEST(ExchangeMatcher, Http10ResponseBodyRunsToTheClose) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn c;
  testing::exchange(m, c, 1 * kMs, "GET / HTTP/1.0\r\n\r\n", 2 * kMs, "HTTP/1.0 200 OK\r\n\r\n");
  m.on_data(c.write(3 * kMs, "HTTP/1.0 200 OK\r\n\r\nthis is body text"));
  m.on_connection(c.close(4 * kMs));
  EXPECT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(total_drops(m), 0u);
}

TEST(ExchangeMatcher, OtherProtocolsAreIgnoredAndGarbageOnHttpIsUnparsed) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn redis;
  testing::exchange(m, redis, 1 * kMs, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
                    2 * kMs, "$-1\r\n");
  m.on_data(redis.read(3 * kMs, "GET key\r\n"));
  EXPECT_EQ(total_drops(m), 0u);

  Conn http;
  http.id.fd = 30;
  m.on_data(http.read(1 * kMs, std::string("GET /a\x01\x02 HTTP/1.1\r\n\r\n")));
  EXPECT_EQ(drops(m, DropReason::kUnparsed), 1u);
  m.on_data(http.write(2 * kMs, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_TRUE(r.seen.empty());  // the answer to the dropped request
  EXPECT_EQ(drops(m, DropReason::kResponseWithoutRequest), 0u);

  // Binary garbage where a request must begin, after an exchange: unparsed;
  // then the stream waits for a call that begins with a request line.
  Conn keep;
  keep.id.fd = 31;
  testing::exchange(m, keep, 1 * kMs, "GET /first HTTP/1.1\r\n\r\n",
                    2 * kMs, testing::kOkEmpty);
  testing::exchange(m, keep, 3 * kMs, std::string("\x00\xff\xfe garbage", 11),
                    4 * kMs, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(drops(m, DropReason::kUnparsed), 2u);
  m.on_data(keep.read(5 * kMs, std::string("more garbage")));
  testing::exchange(m, keep, 6 * kMs, "GET /ok HTTP/1.1\r\n\r\n",
                    7 * kMs, testing::kOkEmpty);
  EXPECT_EQ(drops(m, DropReason::kUnparsed), 2u);
  EXPECT_EQ(total_drops(m), 2u);
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_EQ(r.seen.back().target, "/ok");
  EXPECT_EQ(r.seen.back().duration_ns, 1 * kMs);
}

TEST(ExchangeMatcher, TlsPlaintextIsFollowedAndCiphertextIgnored) {
  Recorder r;
  ExchangeMatcher m({}, r.sink());
  Conn raw, tls;
  tls.tls = true;
  m.on_connection(raw.open(0));
  m.on_data(raw.read(1 * kMs, std::string("\x16\x03\x01\x00\xa5\x01\x00\x00", 8)));  // ClientHello
  m.on_data(tls.read(2 * kMs, traffic("python_http_server.request")));
  m.on_data(raw.read(2 * kMs, std::string("\x17\x03\x03\x00\x40", 5)));  // its record
  m.on_data(tls.write(7 * kMs, traffic("python_http_server.response")));
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].duration_ns, 5 * kMs);
  EXPECT_EQ(total_drops(m), 0u);
}

TEST(ExchangeMatcher, MemoryBudgetsAcrossConnections) {
  Recorder r;
  MatcherLimits limits;
  limits.max_pending_total = 3;
  limits.max_carried_bytes = kMaxHeadCarry + 20;
  ExchangeMatcher m(limits, r.sink());
  Conn a, b;
  b.id.fd = 40;
  m.on_data(a.read(1 * kMs, traffic("nginx_keepalive.request")));  // three requests wait
  m.on_data(b.read(1 * kMs, traffic("python_http_server.request")));
  EXPECT_EQ(drops(m, DropReason::kInFlightFull), 1u);
  m.on_connection(a.close(2 * kMs));  // frees three places in line
  EXPECT_EQ(drops(m, DropReason::kClosedInFlight), 3u);
  // Heads split over calls after their request line: the first is kept
  // whole, the second finds no budget left and counts from its request
  // line alone.
  Conn c, d;
  c.id.fd = 41;
  d.id.fd = 42;
  std::string head = traffic("python_http_server.request");
  m.on_data(c.read(2 * kMs, std::string_view(head).substr(0, 60)));
  m.on_data(d.read(2 * kMs, std::string_view(head).substr(0, 60)));
  EXPECT_EQ(m.carried_bytes(), 60u);  // c's only
  EXPECT_EQ(m.pending(), 1u);         // d's, from its request line
  m.on_data(c.read(3 * kMs, std::string_view(head).substr(60)));
  m.on_data(d.read(3 * kMs, std::string_view(head).substr(60)));
  m.on_data(c.write(4 * kMs, traffic("python_http_server.response")));
  m.on_data(d.write(5 * kMs, traffic("python_http_server.response")));
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_EQ(r.seen[0].duration_ns, 2 * kMs);
  EXPECT_EQ(r.seen[1].duration_ns, 3 * kMs);
  EXPECT_EQ(total_drops(m), 4u);
  EXPECT_EQ(m.carried_bytes(), 0u);
  EXPECT_EQ(m.pending(), 0u);
}

}  // namespace
}  // namespace kscope::requests
