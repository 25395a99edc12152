#include "requests/h2_engine.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "requests/db_test_traffic.h"
#include "requests/http_engine.h"
#include "requests/protocol_recognition.h"
#include "requests/protocol_router.h"

namespace kscope::requests {
namespace {

using testing::Call;
using testing::Conn;
using testing::kMs;

// An HTTP/2 engine feeding a real HTTP engine, as kscope run wires them,
// with what each recorded.
struct Seen {
  std::vector<std::string> http;  // "METHOD route status version"
  std::vector<std::string> rpc;   // "service/method code"
  uint64_t bad_durations = 0;
};

struct Rig {
  HttpEngine http{HttpEngineConfig{}, {}};
  H2Engine h2{H2EngineConfig{}, {}, [this](const Exchange& e) { http.record(e); }};
  Seen seen;
  Rig() {
    http.set_exchange_listener([this](const Exchange& e, std::string_view route) {
      seen.http.push_back(std::string(e.method) + " " + std::string(route) + " " + std::to_string(e.status) + " " +
                          std::string(version_name(e.version)));
      if (e.response_ns < e.request_ns) ++seen.bad_durations;
    });
    h2.set_rpc_listener([this](const RpcCall& c) {
      seen.rpc.push_back(std::string(c.name.service) + "/" + std::string(c.name.method) + " " +
                         std::to_string(c.grpc_status));
      if (c.response_ns <= c.request_ns) ++seen.bad_durations;
    });
  }
  uint64_t drops(DropReason r) const { return h2.drops()[static_cast<size_t>(r)]; }
  uint64_t total_drops() const {
    uint64_t n = 0;
    for (uint64_t d : h2.drops()) n += d;
    return n;
  }
};

// Replays a recording on a fresh rig as `role` sees it, each call
// captured up to `capture` bytes; `split` > 0 cuts every call in two
// calls at that offset (a frame header read apart).
void replay(Rig& rig, const std::vector<Call>& calls, Role role, size_t capture, size_t split = 0) {
  Conn c;
  c.role = role;
  c.capture = capture;
  rig.h2.on_connection(c.open(0, testing::ipv4(127, 0, 0, 1, 8080)));
  uint64_t t = 0;
  for (const Call& call : calls) {
    const bool read = (role == Role::kServer) == call.from_client;
    std::vector<std::string_view> parts{call.bytes};
    if (split > 0 && split < call.bytes.size()) {
      parts = {std::string_view(call.bytes).substr(0, split), std::string_view(call.bytes).substr(split)};
    }
    for (std::string_view p : parts) {
      t += kMs;
      rig.h2.on_data(read ? c.read(t, p) : c.write(t, p));
    }
  }
  rig.h2.on_connection(c.close(t + kMs));
}

std::map<std::string, int> counts(const std::vector<std::string>& v) {
  std::map<std::string, int> m;
  for (const auto& s : v) ++m[s];
  return m;
}

// h2load -n 24 -c 1 -m 4 on /index.html?user=1 and /missing/123 against
// nghttpd --no-tls: 12 of each, 200 and 404 (h2load's own count).
const std::map<std::string, int> kH2loadTruth = {{"GET /index.html 200 2", 12}, {"GET /missing/{id} 404 2", 12}};

TEST(H2Engine, H2loadAgainstNghttpdBothSides) {
  auto calls = testing::recorded_calls("h2load_mixed.calls");
  ASSERT_FALSE(calls.empty());
  for (Role role : {Role::kServer, Role::kClient}) {
    Rig rig;
    replay(rig, calls, role, 1 << 20);
    EXPECT_EQ(counts(rig.seen.http), kH2loadTruth) << "role " << int(role);
    EXPECT_EQ(rig.total_drops(), 0u);
    EXPECT_EQ(rig.seen.bad_durations, 0u);
    EXPECT_TRUE(rig.seen.rpc.empty());
  }
}

TEST(H2Engine, EveryFrameHeaderReadApart) {
  for (const char* name : {"h2load_mixed.calls", "nghttp_get.calls", "grpc_mixed.calls"}) {
    auto calls = testing::recorded_calls(name);
    Rig whole;
    replay(whole, calls, Role::kServer, 1 << 20);
    for (size_t split = 1; split < 40; ++split) {
      Rig rig;
      replay(rig, calls, Role::kServer, 1 << 20, split);
      EXPECT_EQ(rig.seen.http, whole.seen.http) << name << " split " << split;
      EXPECT_EQ(rig.seen.rpc, whole.seen.rpc) << name << " split " << split;
      EXPECT_EQ(rig.total_drops(), 0u) << name << " split " << split;
    }
  }
}

// At every capture size: what is recorded is true (in order, a part of
// the whole), and when anything is missing the connection's loss is
// counted as truncated; a gap inside a DATA payload loses nothing.
TEST(H2Engine, EveryCaptureSizeTrueOrCounted) {
  for (const char* name : {"h2load_mixed.calls", "nghttp_get.calls", "grpc_mixed.calls"}) {
    auto calls = testing::recorded_calls(name);
    Rig whole;
    replay(whole, calls, Role::kServer, 1 << 20);
    const size_t all = whole.seen.http.size() + whole.seen.rpc.size();
    for (size_t capture = 1; capture <= 1100; ++capture) {
      for (Role role : {Role::kServer, Role::kClient}) {
        Rig rig;
        replay(rig, calls, role, capture);
        auto prefix_of = [](const std::vector<std::string>& part, const std::vector<std::string>& full) {
          return part.size() <= full.size() && std::equal(part.begin(), part.end(), full.begin());
        };
        EXPECT_TRUE(prefix_of(rig.seen.http, whole.seen.http)) << name << " capture " << capture;
        EXPECT_TRUE(prefix_of(rig.seen.rpc, whole.seen.rpc)) << name << " capture " << capture;
        const size_t got = rig.seen.http.size() + rig.seen.rpc.size();
        if (got < all) {
          EXPECT_GE(rig.drops(DropReason::kTruncated), 1u) << name << " capture " << capture;
        }
        EXPECT_LE(rig.drops(DropReason::kTruncated), 1u + all - got) << name << " capture " << capture;
        EXPECT_EQ(rig.total_drops(), rig.drops(DropReason::kTruncated)) << name << " capture " << capture;
      }
    }
  }
}

TEST(H2Engine, KeptBytesStayWithinTheBudgetAndWhatItCostsIsCounted) {
  // Every call one byte: frames and header blocks are kept across calls,
  // in a budget too small for grpcio's first header block.
  auto calls = testing::recorded_calls("grpc_mixed.calls");
  H2EngineConfig config;
  config.limits.max_carried_bytes = 64;
  H2Engine h2(config, {}, {});
  Conn c;
  c.capture = 1 << 20;
  h2.on_connection(c.open(0));
  uint64_t t = 0;
  for (const Call& call : calls) {
    for (char b : call.bytes) {
      std::string_view one(&b, 1);
      h2.on_data(call.from_client ? c.read(t += 1000, one) : c.write(t += 1000, one));
      ASSERT_LE(h2.carried_bytes(), 64u);
    }
  }
  EXPECT_EQ(h2.drops()[size_t(DropReason::kTruncated)], 1u);
  h2.on_connection(c.close(t + 1000));
  EXPECT_EQ(h2.carried_bytes(), 0u);
}

TEST(H2Engine, LargeDataPastTheCaptureLosesNothing) {
  // nghttp's GET of a 4053-byte file: the body's DATA frames run past a
  // 256-byte capture, inside a payload: nothing of the HTTP/2 state is in
  // the uncaptured tail.
  auto calls = testing::recorded_calls("nghttp_get.calls");
  Rig rig;
  replay(rig, calls, Role::kClient, 256);
  EXPECT_EQ(rig.seen.http, (std::vector<std::string>{"GET /index.html 200 2"}));
  EXPECT_EQ(rig.total_drops(), 0u);
}

// grpc_peer.py (tests/e2e) against itself, grpcio 1.51: 6 OK, 4
// UNAVAILABLE set by the handler, 1 call to an unknown method.
TEST(H2Engine, GrpcioCallsByStatusBothSides) {
  auto calls = testing::recorded_calls("grpc_mixed.calls");
  ASSERT_FALSE(calls.empty());
  const std::map<std::string, int> truth = {
      {"kscope.test.Echo/Say 0", 6}, {"kscope.test.Echo/Say 14", 4}, {"kscope.test.Echo/Missing 12", 1}};
  for (Role role : {Role::kServer, Role::kClient}) {
    Rig rig;
    replay(rig, calls, role, 1024);
    EXPECT_EQ(counts(rig.seen.rpc), truth) << "role " << int(role);
    EXPECT_TRUE(rig.seen.http.empty());
    EXPECT_EQ(rig.total_drops(), 0u);
    EXPECT_EQ(rig.seen.bad_durations, 0u);
    std::vector<Family> out;
    rig.h2.append(out);
    const char* family = role == Role::kServer ? kRpcServerDurationMetric : kRpcClientDurationMetric;
    bool found = false;
    for (const Family& f : out) {
      if (f.name != family) continue;
      found = true;
      uint64_t n = 0;
      for (const Series& s : f.series) {
        EXPECT_EQ(*s.label("rpc_system_name"), "grpc");
        n += s.histogram->count();
        if (role == Role::kClient) {
          EXPECT_EQ(*s.label("server_port"), "8080");
        }
      }
      EXPECT_EQ(n, 11u);
    }
    EXPECT_TRUE(found);
  }
}

TEST(H2Engine, PickedUpInTheMiddleIsCountedNotDecoded) {
  auto calls = testing::recorded_calls("h2load_mixed.calls");
  ASSERT_GT(calls.size(), 4u);
  // Through the router, as kscope run: no open seen, the connection's
  // later frames go to the HTTP/2 engine, counted once.
  Rig rig;
  std::array<ProtocolSink, kL7ProtocolCount> sinks;
  std::vector<std::string> http1;
  for (auto& s : sinks) s = {[](const ConnectionEvent&) {}, [&http1](const SocketData&) { http1.push_back("x"); }};
  sinks[size_t(L7Protocol::kHttp2)] = {[&rig](const ConnectionEvent& e) { rig.h2.on_connection(e); },
                                       [&rig](const SocketData& d) { rig.h2.on_data(d); }};
  ProtocolRouter router(sinks, 16);
  Conn c;
  uint64_t t = 0;
  for (size_t i = 2; i < calls.size(); ++i) {
    router.on_data(calls[i].from_client ? c.read(t += kMs, calls[i].bytes) : c.write(t += kMs, calls[i].bytes));
  }
  router.on_connection(c.close(t + kMs));
  EXPECT_TRUE(rig.seen.http.empty());
  EXPECT_TRUE(http1.empty());
  EXPECT_EQ(rig.drops(DropReason::kH2Preexisting), 1u);
  EXPECT_EQ(rig.total_drops(), 1u);
}

TEST(H2Engine, RecognisedByPrefaceOrServerSettings) {
  auto calls = testing::recorded_calls("h2load_mixed.calls");
  EXPECT_EQ(recognize_protocol(calls[0].bytes, 0), L7Protocol::kHttp2);
  EXPECT_EQ(recognize_protocol(calls[0].bytes.substr(0, 8), 0), L7Protocol::kHttp2);
  // The server's first write, its SETTINGS.
  EXPECT_EQ(recognize_protocol(calls[1].bytes, 0), L7Protocol::kHttp2);
  EXPECT_EQ(recognize_protocol("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0), L7Protocol::kHttp);
  EXPECT_EQ(recognize_protocol("PRI * HTTP/1.1\r\n", 0), L7Protocol::kUnknown);
}

std::string frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
  std::string f;
  const size_t n = payload.size();
  f += char(n >> 16);
  f += char(n >> 8);
  f += char(n);
  f += char(type);
  f += char(flags);
  f += char(stream >> 24);
  f += char(stream >> 16);
  f += char(stream >> 8);
  f += char(stream);
  f += payload;
  return f;
}

TEST(H2Engine, HpackBombEndsDecodingAsUnparsed) {
  // One 3000-byte value put in the dynamic table, then referenced 3000
  // times in the same block: 9 MB of headers from 6 KB.
  std::string block = "\x40\x01x\x7f";
  size_t v = 3000 - 127;
  while (v >= 128) {
    block += char(0x80 | (v & 0x7f));
    v >>= 7;
  }
  block += char(v);
  block += std::string(3000, 'a');
  block += std::string(3000, '\xbe');
  Rig rig;
  Conn c;
  c.capture = 1 << 20;
  rig.h2.on_connection(c.open(0));
  std::string in = std::string(kH2Preface) + frame(4, 0, 0, "") + frame(1, 0x5, 1, block);
  rig.h2.on_data(c.read(kMs, in));
  EXPECT_EQ(rig.drops(DropReason::kUnparsed), 1u);
  EXPECT_TRUE(rig.seen.http.empty());
}

TEST(H2Engine, ResetStreamsCountedOrEndedAsGrpcErrors) {
  // A request reset before its answer is a drop (stream_reset); nothing
  // is guessed for it. Built with HPACK's static table only.
  Rig rig;
  Conn c;
  rig.h2.on_connection(c.open(0));
  // :method GET (0x82), :scheme http (0x86), :path / (0x84)
  std::string req = std::string(kH2Preface) + frame(4, 0, 0, "") + frame(1, 0x5, 1, "\x82\x86\x84");
  rig.h2.on_data(c.read(kMs, req));
  rig.h2.on_data(c.write(2 * kMs, frame(4, 0, 0, "") + frame(3, 0, 1, std::string("\0\0\0\x08", 4))));
  EXPECT_EQ(rig.drops(DropReason::kStreamReset), 1u);
  // A gRPC call: content-type application/grpc as a literal, then RST
  // CANCEL: CANCELLED (1).
  std::string grpc_req = "\x83\x86\x44\x0a/a.B/Call1\x0f\x10\x10" "application/grpc";
  rig.h2.on_data(c.read(3 * kMs, frame(1, 0x4, 3, grpc_req)));
  rig.h2.on_data(c.write(4 * kMs, frame(3, 0, 3, std::string("\0\0\0\x08", 4))));
  EXPECT_EQ(rig.seen.rpc, (std::vector<std::string>{"a.B/Call1 1"}));
  rig.h2.on_connection(c.close(5 * kMs));
  EXPECT_EQ(rig.total_drops(), 1u);
}

}  // namespace
}  // namespace kscope::requests
