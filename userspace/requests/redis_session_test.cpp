#include "requests/redis_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "requests/db_engine.h"
#include "requests/db_test_traffic.h"

namespace kscope::requests {
namespace {

using testing::Call;
using testing::Conn;
using testing::DbRecorder;
using testing::kMs;
using Counts = std::map<std::pair<std::string, std::string>, uint64_t>;

DbEngineConfig redis() {
  DbEngineConfig cfg;
  cfg.system = DbSystem::kRedis;
  return cfg;
}

// INFO commandstats saved beside a recording: calls and failed calls per
// command ("client|setname" as "CLIENT SETNAME"), without the CONFIG
// RESETSTAT sent straight to the server before the recording.
struct Truth {
  std::map<std::string, uint64_t> calls;
  std::map<std::string, uint64_t> failed;
};
Truth commandstats(const std::string& name) {
  Truth t;
  std::istringstream in(testing::traffic(name));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("cmdstat_", 0) != 0) continue;
    std::string cmd = line.substr(8, line.find(':') - 8);
    std::replace(cmd.begin(), cmd.end(), '|', ' ');
    std::transform(cmd.begin(), cmd.end(), cmd.begin(), [](unsigned char c) { return std::toupper(c); });
    if (cmd == "CONFIG RESETSTAT") continue;
    auto field = [&line](const std::string& key) {
      size_t p = line.find(key + "=");
      return std::stoull(line.substr(p + key.size() + 1));
    };
    t.calls[cmd] = field("calls");
    t.failed[cmd] = field("failed_calls") + field("rejected_calls");
  }
  return t;
}

void expect_matches(const Truth& truth, const DbRecorder& r, const std::string& what) {
  std::map<std::string, uint64_t> calls, failed;
  for (const auto& s : r.seen) {
    ++calls[s.operation];
    if (!s.status.empty()) ++failed[s.operation];
  }
  for (const auto& [cmd, n] : truth.calls) {
    EXPECT_EQ(calls[cmd], n) << what << " " << cmd;
    EXPECT_EQ(failed[cmd], truth.failed.at(cmd)) << what << " " << cmd;
  }
}

std::vector<std::pair<std::string, std::string>> keys(const DbRecorder& r) {
  std::vector<std::pair<std::string, std::string>> k;
  for (const auto& s : r.seen) k.emplace_back(s.operation, s.status);
  return k;
}

bool is_subsequence(const std::vector<std::pair<std::string, std::string>>& part,
                    const std::vector<std::pair<std::string, std::string>>& whole) {
  size_t j = 0;
  for (const auto& p : part) {
    while (j < whole.size() && whole[j] != p) ++j;
    if (j == whole.size()) return false;
    ++j;
  }
  return true;
}

size_t largest_client_call(const std::vector<Call>& calls) {
  size_t n = 0;
  for (const auto& c : calls) {
    if (c.from_client) n = std::max(n, c.bytes.size());
  }
  return n;
}

TEST(RedisEngine, BenchmarkPipelineCountsWhatRedisCounted) {
  Truth truth = commandstats("redis_benchmark.commandstats");
  ASSERT_EQ(truth.calls["SET"], 64u);
  for (Role role : {Role::kServer, Role::kClient}) {
    DbEngine engine(redis(), {});
    DbRecorder r;
    r.attach(engine);
    Conn c;
    c.role = role;
    for (const char* name : {"redis_benchmark.calls", "redis_benchmark.2.calls", "redis_benchmark.3.calls"}) {
      auto calls = testing::recorded_calls(name);
      ASSERT_FALSE(calls.empty()) << name;
      c.id.fd++;
      testing::replay(engine, c, calls);
    }
    expect_matches(truth, r, "benchmark");
    EXPECT_EQ(r.seen.size(), 64u + 64 + 2);
    EXPECT_EQ(testing::total_drops(engine), 0u);
    for (const auto& s : r.seen) EXPECT_EQ(s.role, role);
  }
}

TEST(RedisEngine, MultiExecCountsEachCommandOnceWithItsStatusFromExec) {
  Truth truth = commandstats("redis_multi.commandstats");
  auto calls = testing::recorded_calls("redis_multi.calls");
  ASSERT_FALSE(calls.empty());
  auto run = testing::replay_fresh(DbSystem::kRedis, calls, 1 << 20);
  expect_matches(truth, run.recorder, "multi");
  Counts counts = run.recorder.counts();
  // LPUSH on a string: once answered at once, once inside EXEC.
  EXPECT_EQ((counts[{"LPUSH", "WRONGTYPE"}]), 2u);
  EXPECT_EQ((counts[{"EXEC", "EXECABORT"}]), 1u);
  // The command Redis does not know (it counts it nowhere) is ours to count.
  EXPECT_EQ((counts[{"_OTHER", "ERR"}]), 1u);
  EXPECT_EQ((counts[{"MULTI", ""}]), 3u);
  EXPECT_EQ(run.total_drops(), 0u);
}

TEST(RedisEngine, Resp3MapsSetsDoublesAndPushesAreFollowed) {
  Truth truth = commandstats("redis_resp3.commandstats");
  auto calls = testing::recorded_calls("redis_resp3.calls");
  ASSERT_FALSE(calls.empty());
  // The recording holds a push (the invalidation CLIENT TRACKING asked for).
  bool push = false;
  for (const auto& call : calls) push |= !call.from_client && call.bytes.find(">2\r\n$10\r\ninvalidate") != std::string::npos;
  ASSERT_TRUE(push);
  auto run = testing::replay_fresh(DbSystem::kRedis, calls, 1 << 20);
  expect_matches(truth, run.recorder, "resp3");
  size_t executed = 0;
  for (const auto& [cmd, n] : truth.calls) executed += n;
  EXPECT_EQ(run.recorder.seen.size(), executed);
  EXPECT_EQ(run.total_drops(), 0u);  // the push answered nothing
}

// Each recording cut at every capture bound: what is recorded is always
// right (a subsequence of the whole capture's outcomes, in order), and
// once every request is captured whole, every request is either recorded
// or counted as dropped.
TEST(RedisEngine, EveryCaptureBoundRecordsOnlyTruthAndCountsTheRest) {
  for (const char* name : {"redis_multi.calls", "redis_resp3.calls", "redis_benchmark.2.calls"}) {
    auto calls = testing::recorded_calls(name);
    ASSERT_FALSE(calls.empty()) << name;
    const auto truth = keys(testing::replay_fresh(DbSystem::kRedis, calls, 1 << 20).recorder);
    const size_t largest = largest_client_call(calls);
    for (size_t cap = 1; cap <= largest + 64; ++cap) {
      for (Role role : {Role::kServer, Role::kClient}) {
        auto run = testing::replay_fresh(DbSystem::kRedis, calls, cap, role);
        ASSERT_TRUE(is_subsequence(keys(run.recorder), truth)) << name << " cap " << cap;
        ASSERT_LE(run.recorder.seen.size(), truth.size()) << name << " cap " << cap;
        if (cap >= largest) {
          EXPECT_EQ(run.recorder.seen.size() + run.total_drops(), truth.size()) << name << " cap " << cap;
        }
      }
    }
  }
}

TEST(RedisEngine, BulkPayloadBeyondTheCaptureIsSkippedByItsLength) {
  testing::DbFixture f(DbSystem::kRedis);
  f.c.capture = 40;
  std::string value(10000, 'v');
  f.request("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10000\r\n" + value + "\r\n");
  f.response("+OK\r\n");
  f.request("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  f.response("$10000\r\n" + value + "\r\n");
  f.request("*1\r\n$4\r\nPING\r\n");
  f.response("+PONG\r\n");
  ASSERT_EQ(f.r.seen.size(), 3u);
  EXPECT_EQ(f.r.seen[0].operation, "SET");
  EXPECT_EQ(f.r.seen[1].operation, "GET");
  EXPECT_EQ(f.r.seen[2].operation, "PING");
  EXPECT_EQ(f.r.seen[2].duration_ns, kMs);
  EXPECT_EQ(testing::total_drops(f.engine), 0u);
}

TEST(RedisEngine, PipelinedAnswersPairInOrderAcrossCalls) {
  testing::DbFixture f(DbSystem::kRedis);
  f.request("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\nPING\r\n*3\r\n$6\r\nCLIENT\r\n$7\r\nsetname\r\n$1\r\nx\r\n");
  f.response("$-1\r\n-WRONGTYPE Operation\r\n+PO");  // the third answer split over two writes
  f.response("NG\r\n+OK\r\n");
  ASSERT_EQ(f.r.seen.size(), 4u);
  EXPECT_EQ(f.r.seen[0].operation, "GET");
  EXPECT_EQ(f.r.seen[1].operation, "INCR");
  EXPECT_EQ(f.r.seen[1].status, "WRONGTYPE");
  EXPECT_EQ(f.r.seen[2].operation, "PING");  // inline
  EXPECT_EQ(f.r.seen[2].duration_ns, kMs);   // from the first byte of its answer
  EXPECT_EQ(f.r.seen[3].operation, "CLIENT SETNAME");
}

TEST(RedisEngine, LostAnswersAreCountedAndPairingResumesAfterTheNextRequest) {
  testing::DbFixture f(DbSystem::kRedis);
  f.c.capture = 16;
  // Two pipelined GETs whose answers' headers fall beyond the capture.
  f.request("*2\r\n$3\r\nGET\r\n$1\r\na\r\n");
  f.request("*2\r\n$3\r\nGET\r\n$1\r\nb\r\n");
  f.response("$20\r\n01234567890123456789\r\n$3\r\nabc\r\n");
  // The first answer is seen; the second's header is not: it is dropped.
  ASSERT_EQ(f.r.seen.size(), 1u);
  EXPECT_EQ(testing::drops(f.engine, DropReason::kTruncated), 1u);
  f.response("more bytes of something");  // not parsed: no request since
  f.request("*1\r\n$4\r\nPING\r\n");
  f.response("+PONG\r\n");
  ASSERT_EQ(f.r.seen.size(), 2u);
  EXPECT_EQ(f.r.seen[1].operation, "PING");
  EXPECT_EQ(testing::drops(f.engine, DropReason::kResponseWithoutRequest), 0u);
}

TEST(RedisEngine, RequestsHiddenBeyondTheCaptureStopPairingUntilTheyAreAnswered) {
  testing::DbFixture f(DbSystem::kRedis);
  f.c.capture = 30;
  // Three pipelined commands; the capture ends inside the second.
  f.request("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n*1\r\n$4\r\nPING\r\n");
  f.response(":1\r\n:2\r\n+PONG\r\n");
  ASSERT_EQ(f.r.seen.size(), 1u);  // the first GET; the second was cut
  EXPECT_EQ(f.r.seen[0].operation, "GET");
  f.request("*1\r\n$4\r\nPING\r\n");
  f.response("+PONG\r\n");
  ASSERT_EQ(f.r.seen.size(), 2u);
  EXPECT_EQ(f.r.seen[1].operation, "PING");
}

TEST(RedisEngine, Resp3AttributesPushesAndSubscriptions) {
  testing::DbFixture f(DbSystem::kRedis);
  f.request("*2\r\n$3\r\nGET\r\n$1\r\na\r\n");
  f.response(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nx\r\n");  // a push: no answer
  f.response("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.5\r\n$1\r\nv\r\n");  // attribute, then the reply
  ASSERT_EQ(f.r.seen.size(), 1u);
  EXPECT_EQ(f.r.seen[0].duration_ns, 2 * kMs);
  f.request("*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n");
  f.response(">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
  f.response(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nx\r\n");
  ASSERT_EQ(f.r.seen.size(), 2u);
  EXPECT_EQ(f.r.seen[1].operation, "SUBSCRIBE");
  EXPECT_EQ(testing::total_drops(f.engine), 0u);
}

TEST(RedisEngine, ClientReplyStopsFollowingRatherThanMispairing) {
  testing::DbFixture f(DbSystem::kRedis);
  f.request("*1\r\n$4\r\nPING\r\n*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*1\r\n$4\r\nPING\r\n");
  f.response("+PONG\r\n");
  f.request("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n");
  f.response("+OK\r\n");
  ASSERT_EQ(f.r.seen.size(), 0u);  // the PONG is not paired once the connection is left
  f.engine.on_connection(f.c.close(f.t + kMs));
  EXPECT_EQ(testing::drops(f.engine, DropReason::kClosedInFlight), 1u);
}

TEST(RedisEngine, NamesAreRedisCommandsOrOther) {
  testing::DbFixture f(DbSystem::kRedis);
  f.request("*1\r\n$13\r\nmysecretvalue\r\n*0\r\n\r\n*2\r\n$6\r\nconfig\r\n$3\r\nget\r\n");
  f.response("-ERR unknown command\r\n-err lower case\r\n*0\r\n");
  ASSERT_EQ(f.r.seen.size(), 2u);  // the empty command gets no answer
  EXPECT_EQ(f.r.seen[0].operation, "_OTHER");
  EXPECT_EQ(f.r.seen[0].status, "ERR");
  EXPECT_EQ(f.r.seen[1].operation, "CONFIG GET");
  EXPECT_EQ(f.r.seen[1].status, "_OTHER");
}

TEST(RedisEngine, GarbageIsCountedNeverParsedAsCommands) {
  testing::DbFixture f(DbSystem::kRedis);
  f.request("\x16\x03\x01\x02\x00\x01");
  f.request("*1\r\n$4\r\nPING\r\n");
  f.response("+PONG\r\n");
  ASSERT_EQ(f.r.seen.size(), 1u);
  EXPECT_EQ(f.r.seen[0].operation, "PING");
}

}  // namespace
}  // namespace kscope::requests
