#include "agent/request_events.h"

#include <gtest/gtest.h>

#include <string>

#include "events/event_format.h"

namespace kscope {
namespace {

constexpr uint64_t kMs = 1000 * 1000;

requests::Exchange exchange(requests::Role role, int status, uint64_t duration_ns, std::string_view target) {
  requests::Exchange e;
  e.role = role;
  e.tgid = 42;
  e.method = "GET";
  e.target = target;
  e.status = status;
  e.request_ns = 1000 * kMs;
  e.response_ns = 1000 * kMs + duration_ns;
  e.peer.known = true;
  e.peer.address = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 7};
  e.peer.port = 8080;
  return e;
}

const RequestEvent& body(const Event& e) { return std::get<RequestEvent>(e.body); }

TEST(RequestEvents, HttpEventLosesTheQueryStringAndKnowsErrorsBySide) {
  auto server = http_request_event(exchange(requests::Role::kServer, 404, 3 * kMs, "/users/7?token=secret"),
                                   "/users/{id}", "nginx");
  EXPECT_EQ(body(server).target, "/users/7");
  EXPECT_EQ(body(server).route, "/users/{id}");
  EXPECT_EQ(body(server).status, "404");
  EXPECT_FALSE(body(server).error);  // a 4xx is the client's fault, not the server's (OTel)
  EXPECT_EQ(body(server).duration_ns, 3 * kMs);
  EXPECT_EQ(server.ts_ns, 1003 * kMs);
  auto client = http_request_event(exchange(requests::Role::kClient, 404, kMs, "/x"), "/x", "curl");
  EXPECT_TRUE(body(client).error);
  EXPECT_TRUE(body(http_request_event(exchange(requests::Role::kServer, 503, kMs, "/"), "/", "a")).error);

  EventClock clock;
  std::string line = format_event_line(server, clock);
  EXPECT_NE(line.find(" request http server pid=42 comm=nginx peer=10.0.0.7:8080 GET /users/7 route=/users/{id} "
                      "status=404 duration=3.000ms"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("secret"), std::string::npos);
  auto j = event_to_json(server, clock, nullptr);
  EXPECT_EQ(j["type"], "request");
  EXPECT_EQ(j["peer"], "10.0.0.7:8080");
  EXPECT_EQ(j["target"], "/users/7");
}

TEST(RequestEvents, HostileStringsAreEscapedInLinesAndJson) {
  auto e = http_request_event(exchange(requests::Role::kServer, 200, kMs, "/a b\n\x1b[31m\xff\"x"), "/r", "ev il\n");
  EventClock clock;
  std::string line = format_event_line(e, clock);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_NE(line.find("comm=ev_il"), std::string::npos) << line;
  EXPECT_NE(line.find("/a%20b"), std::string::npos) << line;
  std::string json = json_line(event_to_json(e, clock, nullptr));
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_FALSE(nlohmann::json::parse(json, nullptr, false).is_discarded()) << json;
}

TEST(RequestEvents, DatabaseEventsCarryOperationTableAndStatus) {
  requests::DbExchange d;
  d.system = requests::DbSystem::kPostgres;
  d.role = requests::Role::kClient;
  d.tgid = 9;
  d.outcome.operation = "SELECT";
  d.outcome.collection = "orders";
  d.outcome.status = "42601";
  d.outcome.request_ns = 5 * kMs;
  d.outcome.response_ns = 7 * kMs;
  d.server.known = true;
  d.server.port = 5432;
  d.server.address = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
  auto e = db_request_event(d, "psql");
  EXPECT_EQ(body(e).protocol, "postgresql");
  EXPECT_EQ(body(e).operation, "SELECT");
  EXPECT_EQ(body(e).target, "orders");
  EXPECT_TRUE(body(e).error);
  EXPECT_EQ(body(e).duration_ns, 2 * kMs);
  EventClock clock;
  EXPECT_NE(format_event_line(e, clock).find(" postgresql client pid=9 comm=psql peer=127.0.0.1:5432 SELECT orders "
                                             "status=42601 duration=2.000ms error"),
            std::string::npos)
      << format_event_line(e, clock);
  d.role = requests::Role::kServer;
  d.outcome.status = "";
  auto ok = db_request_event(d, "postgres");
  EXPECT_FALSE(body(ok).error);
  EXPECT_EQ(body(ok).peer_port, 0);  // a server's client is not kept
}

TEST(RequestEvents, GrpcEventsCarryServiceMethodAndOpenTelemetrysErrorRule) {
  requests::RpcCall c;
  c.role = requests::Role::kServer;
  c.tgid = 11;
  c.name = {"shop.Cart", "Add"};
  c.grpc_status = 5;  // NOT_FOUND: the caller's error, not the server failing
  c.request_ns = 5 * kMs;
  c.response_ns = 8 * kMs;
  c.server.known = true;
  c.server.port = 50051;
  auto e = rpc_request_event(c, "server");
  EXPECT_EQ(body(e).protocol, "grpc");
  EXPECT_EQ(body(e).operation, "Add");
  EXPECT_EQ(body(e).target, "shop.Cart");
  EXPECT_EQ(body(e).status, "5");
  EXPECT_FALSE(body(e).error);
  EXPECT_EQ(body(e).duration_ns, 3 * kMs);
  EXPECT_EQ(body(e).peer_port, 0);
  c.grpc_status = 14;  // UNAVAILABLE
  EXPECT_TRUE(body(rpc_request_event(c, "server")).error);
  c.role = requests::Role::kClient;
  c.grpc_status = 5;  // any status but OK fails a client
  auto client = rpc_request_event(c, "client");
  EXPECT_TRUE(body(client).error);
  EXPECT_EQ(body(client).peer_port, 50051);
  RequestEventFilter only_rpc;
  only_rpc.protocols = {"grpc"};
  EXPECT_TRUE(only_rpc.admits(body(client)));
  EXPECT_FALSE(only_rpc.admits(body(db_request_event(requests::DbExchange{}, "x"))));
}

TEST(RequestEvents, FilterNarrowsThenNeedsDurationOrAnError) {
  RequestEvent r;
  r.protocol = "http";
  r.server = true;
  r.pid = 42;
  r.status = "503";
  r.error = true;
  r.duration_ns = 5 * kMs;
  RequestEventFilter f;
  EXPECT_TRUE(f.admits(r));
  f.min_duration_ns = 10 * kMs;
  EXPECT_FALSE(f.admits(r));
  f.errors_regardless_of_duration = true;
  EXPECT_TRUE(f.admits(r));
  f.statuses = {"4xx"};
  EXPECT_FALSE(f.admits(r));
  f.statuses = {"4xx", "5xx"};
  EXPECT_TRUE(f.admits(r));
  f.statuses = {"503"};
  EXPECT_TRUE(f.admits(r));
  f.statuses = {"error"};
  EXPECT_TRUE(f.admits(r));
  f.side = RequestSide::kClient;
  EXPECT_FALSE(f.admits(r));
  f.side = RequestSide::kServer;
  f.pid = 43;
  EXPECT_FALSE(f.admits(r));
  f.pid = 42;
  f.protocols = {"redis", "postgresql"};
  EXPECT_FALSE(f.admits(r));
  // "5xx" is an HTTP class: a SQLSTATE starting with 5 is not in it.
  RequestEvent db = r;
  db.protocol = "postgresql";
  db.status = "53300";
  f.statuses = {"5xx"};
  EXPECT_FALSE(f.admits(db));
}

TEST(RequestEvents, StatusListIsCheckedItemByItem) {
  auto ok = parse_status_list("5xx,404,,error,WRONGTYPE");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, (std::vector<std::string>{"5xx", "404", "error", "WRONGTYPE"}));
  EXPECT_FALSE(parse_status_list(""));
  EXPECT_FALSE(parse_status_list(","));
  auto bad = parse_status_list("5xx;rm -rf");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("is not a status"), std::string::npos);
  EXPECT_FALSE(parse_status_list(std::string(33, 'a')));
}

TEST(RequestEvents, RateAdmitsSoManyASecondAndCountsTheRest) {
  RequestEventRate rate(3);
  uint64_t t = 10 * 1000 * kMs;
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += rate.admit(t + i * kMs) ? 1 : 0;
  EXPECT_EQ(admitted, 3);
  EXPECT_EQ(rate.suppressed(), 7u);
  EXPECT_TRUE(rate.admit(t + 1000 * kMs));  // the next second
  RequestEventRate unlimited(0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(unlimited.admit(t));
}

}  // namespace
}  // namespace kscope
