#include "requests/pg_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <tuple>

#include "requests/db_engine.h"
#include "requests/db_test_traffic.h"

namespace kscope::requests {
namespace {

using testing::Call;
using testing::Conn;
using testing::DbRecorder;
using testing::kMs;
using Key = testing::DbKey;
using testing::outcome_keys;

DbEngineConfig postgres() {
  DbEngineConfig cfg;
  cfg.system = DbSystem::kPostgres;
  return cfg;
}

// calls|query lines of pg_stat_statements saved beside a recording.
uint64_t statement_calls(const std::string& file, const std::string& query) {
  std::istringstream in(testing::traffic(file));
  std::string line;
  while (std::getline(in, line)) {
    size_t bar = line.find('|');
    if (line[0] != '#' && bar != std::string::npos && line.substr(bar + 1) == query) return std::stoull(line);
  }
  return 0;
}

std::vector<Key> replay_whole(const std::vector<Call>& calls) {
  auto run = testing::replay_fresh(DbSystem::kPostgres, calls, 1 << 20);
  EXPECT_EQ(run.total_drops(), 0u);
  return outcome_keys(run.recorder);
}

TEST(PgEngine, PsqlSimpleQueriesWithTheirTablesAndSqlstate) {
  auto calls = testing::recorded_calls("pg_simple.calls");
  ASSERT_FALSE(calls.empty());
  for (Role role : {Role::kServer, Role::kClient}) {
    auto run = testing::replay_fresh(DbSystem::kPostgres, calls, 1 << 20, role);
    const DbRecorder& r = run.recorder;
    std::vector<Key> expected = {
        {"CREATE", "orders", ""}, {"INSERT", "orders", ""}, {"SELECT", "orders", ""},
        {"SELECT", "missing_table", "42P01"}, {"BEGIN", "", ""}, {"UPDATE", "orders", ""},
        {"COMMIT", "", ""}, {"SELECT", "", ""},  // a join names two tables
        {"DROP", "orders", ""},
    };
    EXPECT_EQ(outcome_keys(r), expected);
    EXPECT_EQ(run.total_drops(), 0u);
    // What the server itself counted, for the statements it counts.
    EXPECT_EQ(statement_calls("pg_simple.statements", "SELECT item, qty FROM orders WHERE id = $1"), 1u);
    size_t ok = 0;
    for (const auto& s : r.seen) ok += s.status.empty() ? 1 : 0;
    EXPECT_EQ(ok, 8u);  // pg_stat_statements lists 8 statements, each called once
    // No literal of the session reaches an outcome.
    for (const auto& s : r.seen) EXPECT_EQ(s.collection.find("secret"), std::string::npos);
  }
}

TEST(PgEngine, PgbenchPreparedStatementsCountAsTheServerCounts) {
  auto setup = testing::recorded_calls("pgbench_prepared.calls");
  auto bench = testing::recorded_calls("pgbench_prepared.2.calls");
  ASSERT_FALSE(setup.empty());
  ASSERT_FALSE(bench.empty());
  const uint64_t executed =
      statement_calls("pgbench_prepared.statements", "SELECT abalance FROM pgbench_accounts WHERE aid = $1");
  ASSERT_EQ(executed, 20u);
  std::vector<Key> b = replay_whole(bench);
  ASSERT_EQ(b.size(), executed + 1);
  // Parse + Sync prepares P_0 once; each Bind/Execute/Sync runs it.
  EXPECT_EQ(b[0], (Key{"PREPARE", "pgbench_accounts", ""}));
  EXPECT_EQ(static_cast<uint64_t>(std::count(b.begin(), b.end(), Key{"SELECT", "pgbench_accounts", ""})), executed);
  std::vector<Key> s = replay_whole(setup);
  std::vector<Key> expected = {{"SELECT", "pgbench_branches", ""}, {"SELECT", "", ""}};
  EXPECT_EQ(s, expected);
}

TEST(PgEngine, AcceptedSslRequestIsCountedOnceAndNotParsed) {
  auto calls = testing::recorded_calls("pg_ssl.calls");
  ASSERT_FALSE(calls.empty());
  auto run = testing::replay_fresh(DbSystem::kPostgres, calls, 4096);
  EXPECT_TRUE(run.recorder.seen.empty());
  EXPECT_EQ(run.drops[static_cast<size_t>(DropReason::kEncrypted)], 1u);
  EXPECT_EQ(run.total_drops(), 1u);
}

// Every recording cut at every capture bound: what is recorded is right
// (in order, a subsequence of the whole capture's outcomes), and once the
// client's calls are captured whole every query is recorded or counted.
TEST(PgEngine, EveryCaptureBoundRecordsOnlyTruthAndCountsTheRest) {
  for (const char* name : {"pg_simple.calls", "pgbench_prepared.calls", "pgbench_prepared.2.calls"}) {
    auto calls = testing::recorded_calls(name);
    ASSERT_FALSE(calls.empty()) << name;
    const std::vector<Key> truth = replay_whole(calls);
    size_t largest = 0;
    for (const auto& c : calls) largest = std::max(largest, c.from_client ? c.bytes.size() : 0);
    for (size_t cap = 1; cap <= largest + 64; ++cap) {
      for (Role role : {Role::kServer, Role::kClient}) {
        auto run = testing::replay_fresh(DbSystem::kPostgres, calls, cap, role);
        std::vector<Key> got = outcome_keys(run.recorder);
        ASSERT_EQ(testing::first_untrue(got, truth), "") << name << " cap " << cap;
        if (cap >= largest) {
          EXPECT_EQ(got.size() + run.total_drops(), truth.size()) << name << " cap " << cap;
        }
      }
    }
  }
}

// Protocol messages built by hand.
std::string msg(char type, std::string_view body) {
  std::string m(1, type);
  uint32_t n = static_cast<uint32_t>(body.size() + 4);
  m += static_cast<char>(n >> 24);
  m += static_cast<char>(n >> 16);
  m += static_cast<char>(n >> 8);
  m += static_cast<char>(n);
  m += body;
  return m;
}
std::string z() { return msg('Z', "I"); }
std::string parse(std::string_view name, std::string_view sql) {
  return msg('P', std::string(name) + '\0' + std::string(sql) + '\0' + std::string("\0\0", 2));
}
std::string bind_msg(std::string_view portal, std::string_view stmt) {
  return msg('B', std::string(portal) + '\0' + std::string(stmt) + '\0' + std::string(6, '\0'));
}
std::string execute(std::string_view portal) { return msg('E', std::string(portal) + '\0' + std::string(4, '\0')); }
std::string sync() { return msg('S', ""); }
std::string query(std::string_view sql) { return msg('Q', std::string(sql) + '\0'); }
std::string error(std::string_view sqlstate) {
  return msg('E', std::string("SERROR\0VERROR\0C", 15) + std::string(sqlstate) + std::string("\0Mboom\0\0", 8));
}

TEST(PgEngine, NamedStatementsAreRememberedAndForgottenOnClose) {
  testing::DbFixture f(DbSystem::kPostgres);  // joined in the middle of a connection: no start-up seen
  f.request(parse("s1", "UPDATE \"Sales\".\"Orders\" SET n = $1 WHERE id = $2"));
  f.request(sync());
  f.response(msg('1', "") + z());
  f.request(bind_msg("", "s1") + execute("") + sync());
  f.response(msg('2', "") + msg('C', std::string("UPDATE 1\0", 9)) + z());
  f.request(bind_msg("", "s1") + execute("") + sync());
  f.response(error("40001") + z());
  f.request(msg('C', std::string("Ss1\0", 4)) + sync());  // Close s1
  f.response(msg('3', "") + z());
  f.request(bind_msg("", "s1") + execute("") + sync());  // an unknown statement now
  f.response(error("26000") + z());
  ASSERT_EQ(f.r.seen.size(), 5u);
  EXPECT_EQ(f.r.seen[0].operation, "PREPARE");
  EXPECT_EQ(f.r.seen[0].collection, "Sales.Orders");
  EXPECT_EQ(f.r.seen[1].operation, "UPDATE");
  EXPECT_EQ(f.r.seen[1].duration_ns, kMs);
  EXPECT_EQ(f.r.seen[2].status, "40001");
  EXPECT_EQ(f.r.seen[3].operation, "");  // a Close alone: neither a prepare nor an execution
  EXPECT_EQ(f.r.seen[4].operation, "");
  EXPECT_EQ(f.r.seen[4].status, "26000");
  EXPECT_EQ(testing::total_drops(f.engine), 0u);
}

TEST(PgEngine, PreparedStatementsAreBounded) {
  testing::DbFixture f(DbSystem::kPostgres);
  for (size_t i = 0; i < kMaxPreparedStatements + 10; ++i) {
    f.request(parse("s" + std::to_string(i), "SELECT 1 FROM t") + sync());
    f.response(msg('1', "") + z());
  }
  // The newest is always kept.
  f.request(bind_msg("", "s" + std::to_string(kMaxPreparedStatements + 9)) + execute("") + sync());
  f.response(msg('2', "") + z());
  ASSERT_FALSE(f.r.seen.empty());
  EXPECT_EQ(f.r.seen.back().operation, "SELECT");
  EXPECT_EQ(f.r.seen.back().collection, "t");
}

TEST(PgEngine, ErrorWithoutItsCodeAndMalformedCodesAreOther) {
  testing::DbFixture f(DbSystem::kPostgres);
  f.request(query("SELECT 1"));
  f.response(msg('E', std::string("SERROR\0C4\0\0", 11)) + z());
  f.request(query("SELECT 1"));
  f.response(msg('E', std::string("SERROR\0Cab\"12\0\0", 15)) + z());
  ASSERT_EQ(f.r.seen.size(), 2u);
  EXPECT_EQ(f.r.seen[0].status, "_OTHER");
  EXPECT_EQ(f.r.seen[1].status, "_OTHER");
}

TEST(PgEngine, LostResultIsCountedAndTheNextQueryIsFollowed) {
  testing::DbFixture f(DbSystem::kPostgres);
  f.c.capture = 64;
  f.request(query("SELECT * FROM big"));
  // Many rows in one write: headers past the capture are not seen.
  std::string rows;
  for (int i = 0; i < 50; ++i) rows += msg('D', std::string("\0\x01\0\0\0\x04" "abcd", 10));
  f.response(msg('T', std::string(30, 'x')) + rows + msg('C', std::string("SELECT 50\0", 10)) + z());
  EXPECT_TRUE(f.r.seen.empty());
  EXPECT_EQ(testing::drops(f.engine, DropReason::kTruncated), 1u);
  f.request(query("SELECT 1"));
  f.response(msg('T', "") + z());
  ASSERT_EQ(f.r.seen.size(), 1u);
  EXPECT_EQ(f.r.seen[0].operation, "SELECT");
}

TEST(PgEngine, StartupRefusedSslThenQueries) {
  testing::DbFixture f(DbSystem::kPostgres);
  f.request(std::string("\0\0\0\x08\x04\xd2\x16\x2f", 8));  // SSLRequest
  f.response("N");
  f.request(std::string("\0\0\0\x12\0\x03\0\0user\0bob\0\0", 0x12));  // StartupMessage
  f.response(msg('R', std::string(4, '\0')) + msg('K', std::string(8, '\0')) + z());
  f.request(query("begin"));
  f.response(msg('C', std::string("BEGIN\0", 6)) + z());
  ASSERT_EQ(f.r.seen.size(), 1u);  // the start-up is not an operation
  EXPECT_EQ(f.r.seen[0].operation, "BEGIN");
  EXPECT_EQ(testing::total_drops(f.engine), 0u);
}

TEST(PgEngine, UnknownRoleIsLearntFromBytesOnlyOneSideSends) {
  DbEngine engine(postgres(), {});
  DbRecorder r;
  r.attach(engine);
  Conn c;
  c.role = Role::kUnknown;
  engine.on_data(c.write(1 * kMs, msg('D', "xx")));  // either side: ignored
  engine.on_data(c.write(2 * kMs, query("SELECT 1")));  // the process sends a query: a client
  engine.on_data(c.read(5 * kMs, msg('T', "") + z()));
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].role, Role::kClient);
  EXPECT_EQ(r.seen[0].duration_ns, 3 * kMs);
}

}  // namespace
}  // namespace kscope::requests
