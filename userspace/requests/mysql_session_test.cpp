#include "requests/mysql_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include "requests/db_engine.h"
#include "requests/db_test_traffic.h"

namespace kscope::requests {
namespace {

using testing::Call;
using testing::DbRecorder;
using testing::kMs;
using Key = testing::DbKey;
using testing::outcome_keys;

// name|delta lines of SHOW GLOBAL STATUS saved beside a recording.
uint64_t server_count(const std::string& file, const std::string& name) {
  std::istringstream in(testing::traffic(file));
  std::string line;
  while (std::getline(in, line)) {
    size_t bar = line.find('|');
    if (line[0] != '#' && bar != std::string::npos && line.substr(0, bar) == name) {
      return std::stoull(line.substr(bar + 1));
    }
  }
  return 0;
}

uint64_t count_of(const std::vector<Key>& k, const std::string& op) {
  return static_cast<uint64_t>(std::count_if(k.begin(), k.end(), [&](const Key& x) { return std::get<0>(x) == op; }));
}

std::vector<Key> replay_whole(const std::vector<Call>& calls, Role role = Role::kServer) {
  auto run = testing::replay_fresh(DbSystem::kMySql, calls, 1 << 20, role);
  EXPECT_EQ(run.total_drops(), 0u);
  return outcome_keys(run.recorder);
}

// Every packet of the client's calls split into its 4-byte header and its
// payload, as mysqld reads them.
std::vector<Call> headers_apart(const std::vector<Call>& calls) {
  std::vector<Call> out;
  for (const Call& c : calls) {
    if (!c.from_client) {
      out.push_back(c);
      continue;
    }
    size_t pos = 0;
    while (pos + 4 <= c.bytes.size()) {
      size_t n = mysql_le24(std::string_view(c.bytes).substr(pos));
      out.push_back({true, c.bytes.substr(pos, 4)});
      if (n > 0) out.push_back({true, c.bytes.substr(pos + 4, n)});
      pos += 4 + n;
    }
  }
  return out;
}

TEST(MySqlEngine, MariadbClientQueriesWithTheirTablesAndErrorNumbers) {
  auto calls = testing::recorded_calls("mysql_simple.calls");
  ASSERT_FALSE(calls.empty());
  const std::vector<Key> expected = {
      {"CREATE", "orders", ""}, {"INSERT", "orders", ""}, {"SELECT", "orders", ""},
      {"SELECT", "missing_table", "1146"}, {"_OTHER", "", "1064"},  // SELEC oops
      {"BEGIN", "", ""}, {"UPDATE", "orders", ""}, {"COMMIT", "", ""},
      {"SELECT", "", ""},  // a join names two tables
      {"PREPARE", "", ""}, {"SET", "", ""}, {"EXECUTE", "", ""}, {"DEALLOCATE", "", ""},
      {"SELECT", "orders", ""},  // no row
      {"DROP", "orders", ""},
  };
  for (Role role : {Role::kServer, Role::kClient}) {
    for (const auto& session : {calls, headers_apart(calls)}) {
      auto run = testing::replay_fresh(DbSystem::kMySql, session, 1 << 20, role);
      EXPECT_EQ(outcome_keys(run.recorder), expected);
      EXPECT_EQ(run.total_drops(), 0u);
      // No literal of the session reaches an outcome.
      for (const auto& s : run.recorder.seen) EXPECT_EQ(s.collection.find("secret"), std::string::npos);
    }
  }
  // What the server counted itself: Com_select counts the failed SELECT on
  // a missing table (not the syntax error), and the SELECT that EXECUTE ran.
  const std::vector<Key> k = replay_whole(calls);
  EXPECT_EQ(count_of(k, "SELECT") + count_of(k, "EXECUTE"), server_count("mysql_simple.status", "Com_select"));
  EXPECT_EQ(count_of(k, "SET"), server_count("mysql_simple.status", "Com_set_option"));
  EXPECT_EQ(count_of(k, "INSERT"), server_count("mysql_simple.status", "Com_insert"));
  EXPECT_EQ(count_of(k, "UPDATE"), server_count("mysql_simple.status", "Com_update"));
  EXPECT_EQ(count_of(k, "PREPARE"), server_count("mysql_simple.status", "Com_prepare_sql"));
  EXPECT_EQ(count_of(k, "EXECUTE"), server_count("mysql_simple.status", "Com_execute_sql"));
}

TEST(MySqlEngine, ServerSidePreparedStatementsCountAsTheServerCounts) {
  auto calls = testing::recorded_calls("mysql_prepared.calls");
  ASSERT_FALSE(calls.empty());
  for (Role role : {Role::kServer, Role::kClient}) {
    for (const auto& session : {calls, headers_apart(calls)}) {
      std::vector<Key> k = replay_whole(session, role);
      // DBD::MariaDB: 4 SETs, then COM_STMT_PREPARE/EXECUTE (6 INSERTs, one
      // a duplicate key), COM_STMT_RESET after the error, 3 SELECTs.
      EXPECT_EQ(count_of(k, "SET"), 4u);
      EXPECT_EQ(count_of(k, "PREPARE"), server_count("mysql_prepared.status", "Com_stmt_prepare"));
      EXPECT_EQ(count_of(k, "INSERT"), server_count("mysql_prepared.status", "Com_insert"));
      EXPECT_EQ(count_of(k, "SELECT"), server_count("mysql_prepared.status", "Com_select"));
      EXPECT_EQ(count_of(k, "STMT_RESET"), server_count("mysql_prepared.status", "Com_stmt_reset"));
      EXPECT_EQ(count_of(k, "INSERT") + count_of(k, "SELECT"), server_count("mysql_prepared.status", "Com_stmt_execute"));
      EXPECT_EQ(std::count(k.begin(), k.end(), Key{"INSERT", "t", "1062"}), 1);
      EXPECT_EQ(std::count(k.begin(), k.end(), Key{"PREPARE", "t", ""}), 2);
      EXPECT_EQ(std::count(k.begin(), k.end(), Key{"SELECT", "t", ""}), 3);
      EXPECT_EQ(k.size(), 4u + 2 + 6 + 1 + 3);  // COM_STMT_CLOSE and COM_QUIT are no operations
    }
  }
}

TEST(MySqlEngine, SslRequestIsCountedOnceAndNotParsed) {
  auto calls = testing::recorded_calls("mysql_ssl.calls");
  ASSERT_FALSE(calls.empty());
  for (Role role : {Role::kServer, Role::kClient}) {
    auto run = testing::replay_fresh(DbSystem::kMySql, calls, 4096, role);
    EXPECT_TRUE(run.recorder.seen.empty());
    EXPECT_EQ(run.drops[static_cast<size_t>(DropReason::kEncrypted)], 1u);
    EXPECT_EQ(run.total_drops(), 1u);
  }
}

// Every recording cut at every capture bound, with and without headers
// apart: what is recorded is right (in order, a subsequence of the whole
// capture's outcomes), and once the calls are captured whole every
// command is recorded or counted.
TEST(MySqlEngine, EveryCaptureBoundRecordsOnlyTruthAndCountsTheRest) {
  for (const char* name : {"mysql_simple.calls", "mysql_prepared.calls"}) {
    for (bool apart : {false, true}) {
      auto calls = testing::recorded_calls(name);
      ASSERT_FALSE(calls.empty()) << name;
      if (apart) calls = headers_apart(calls);
      const std::vector<Key> truth = replay_whole(calls);
      size_t largest = 0;
      for (const auto& c : calls) largest = std::max(largest, c.bytes.size());
      for (size_t cap = 1; cap <= largest + 8; ++cap) {
        for (Role role : {Role::kServer, Role::kClient}) {
          auto run = testing::replay_fresh(DbSystem::kMySql, calls, cap, role);
          std::vector<Key> got = outcome_keys(run.recorder);
          ASSERT_EQ(testing::first_untrue(got, truth), "") << name << " apart " << apart << " cap " << cap;
          if (cap >= largest) {
            EXPECT_EQ(got.size() + run.total_drops(), truth.size()) << name << " cap " << cap;
          }
        }
      }
    }
  }
}

// Packets built by hand.
std::string packet(uint8_t seq, std::string_view payload) {
  std::string p;
  p += static_cast<char>(payload.size() & 0xff);
  p += static_cast<char>((payload.size() >> 8) & 0xff);
  p += static_cast<char>((payload.size() >> 16) & 0xff);
  p += static_cast<char>(seq);
  p += payload;
  return p;
}
std::string query(std::string_view sql) { return packet(0, "\x03" + std::string(sql)); }
std::string ok(uint8_t seq, uint16_t status = 2, char header = '\0') {
  return packet(seq, std::string(1, header) + std::string("\0\0", 2) + static_cast<char>(status & 0xff) +
                         static_cast<char>(status >> 8) + std::string("\0\0", 2));
}
std::string eof(uint8_t seq, uint16_t status = 2) {
  return packet(seq, std::string("\xfe\0\0", 3) + static_cast<char>(status & 0xff) + static_cast<char>(status >> 8));
}
std::string err(uint8_t seq, uint16_t code) {
  return packet(seq, std::string("\xff") + static_cast<char>(code & 0xff) + static_cast<char>(code >> 8) +
                         "#42000boom");
}
std::string column(uint8_t seq) { return packet(seq, "\x03" "def\x01" "d\x01" "t\x01" "t\x01" "c\x01" "c"); }
std::string row(uint8_t seq, std::string_view value) {
  return packet(seq, std::string(1, static_cast<char>(value.size())) + std::string(value));
}
// A result set of one column and `rows` rows; deprecate: CLIENT_DEPRECATE_EOF.
std::string result(size_t rows, bool deprecate, uint16_t last_status = 2) {
  uint8_t seq = 1;
  std::string r = packet(seq++, "\x01");
  r += column(seq++);
  if (!deprecate) r += eof(seq++);
  for (size_t i = 0; i < rows; ++i) r += row(seq++, "v");
  r += deprecate ? ok(seq, last_status, '\xfe') : eof(seq, last_status);
  return r;
}

TEST(MySqlEngine, ResultSetsWithAndWithoutDeprecateEofEndAtTheirLastPacket) {
  for (bool deprecate : {false, true}) {
    testing::DbFixture f(DbSystem::kMySql);  // no handshake seen: both forms are told apart
    f.request(query("SELECT c FROM t"));
    f.response(result(3, deprecate));
    f.request(query("SELECT c FROM t WHERE 0"));
    f.response(result(0, deprecate));
    f.request(query("SELECT c FROM t"));
    std::string rows = result(2, deprecate);
    // Written in two parts, the second a millisecond later: the end is
    // there (the terminator: 4 + 5 bytes for EOF, 4 + 7 for OK).
    const size_t last = deprecate ? 11 : 9;
    f.response(rows.substr(0, rows.size() - last));
    f.response(rows.substr(rows.size() - last));
    ASSERT_EQ(f.r.seen.size(), 3u) << deprecate;
    EXPECT_EQ(f.r.seen[0].duration_ns, kMs);
    EXPECT_EQ(f.r.seen[1].duration_ns, kMs);
    EXPECT_EQ(f.r.seen[2].duration_ns, 2 * kMs);
    EXPECT_EQ(testing::total_drops(f.engine), 0u);
  }
}

TEST(MySqlEngine, SeveralResultSetsEndAtTheLast) {
  testing::DbFixture f(DbSystem::kMySql);
  f.request(query("CALL p()"));
  f.response(result(1, false, 2 | 8));  // SERVER_MORE_RESULTS_EXISTS
  f.response(ok(6));
  f.request(query("SELECT 1"));
  f.response(result(1, false));
  ASSERT_EQ(f.r.seen.size(), 2u);
  EXPECT_EQ(f.r.seen[0].operation, "CALL");
  EXPECT_EQ(f.r.seen[0].duration_ns, 2 * kMs);
  EXPECT_EQ(testing::total_drops(f.engine), 0u);
}

TEST(MySqlEngine, StatementsAreRememberedByIdBoundedAndForgottenOnClose) {
  testing::DbFixture f(DbSystem::kMySql);
  auto prepare_ok = [](uint32_t id) {
    std::string p = std::string(5, '\0') + std::string("\0\0\0\0\0\0\0", 7);
    for (int i = 0; i < 4; ++i) p[1 + i] = static_cast<char>((id >> (8 * i)) & 0xff);
    return packet(1, p);
  };
  auto execute = [](uint32_t id) {
    std::string p = "\x17" + std::string(4, '\0') + std::string("\0\x01\0\0\0", 5);
    for (int i = 0; i < 4; ++i) p[1 + i] = static_cast<char>((id >> (8 * i)) & 0xff);
    return packet(0, p);
  };
  for (uint32_t id = 1; id <= kMaxMySqlStatements + 10; ++id) {
    f.request(packet(0, "\x16UPDATE t" + std::to_string(id) + " SET a = 1"));
    f.response(prepare_ok(id));
  }
  f.request(execute(kMaxMySqlStatements + 10));  // the newest is kept
  f.response(ok(1));
  f.request(execute(1));  // the oldest was forgotten
  f.response(err(1, 1243));
  f.request(packet(0, std::string("\x19\x4a\0\0\0", 5)));  // COM_STMT_CLOSE 74: no answer
  f.request(execute(kMaxMySqlStatements + 10));
  f.response(ok(1));
  f.request(execute(kMaxMySqlStatements + 10));
  f.response(ok(1));
  ASSERT_EQ(f.r.seen.size(), kMaxMySqlStatements + 10 + 4);
  EXPECT_EQ(f.r.seen[0].operation, "PREPARE");
  EXPECT_EQ(f.r.seen[0].collection, "t1");
  const auto* s = &f.r.seen[kMaxMySqlStatements + 10];
  EXPECT_EQ(s[0].operation, "UPDATE");
  EXPECT_EQ(s[0].collection, "t" + std::to_string(kMaxMySqlStatements + 10));
  EXPECT_EQ(s[1].operation, "");
  EXPECT_EQ(s[1].status, "1243");
  EXPECT_EQ(s[2].operation, "");  // closed
  EXPECT_EQ(testing::total_drops(f.engine), 0u);
}

TEST(MySqlEngine, PingQuitAndUnknownCommands) {
  testing::DbFixture f(DbSystem::kMySql);
  f.request(packet(0, "\x0e"));  // COM_PING
  f.response(ok(1));
  f.request(packet(0, "\x1d"));  // COM_DAEMON: the server refuses it
  f.response(err(1, 1047));
  f.request(packet(0, "\x01"));  // COM_QUIT: no answer
  ASSERT_EQ(f.r.seen.size(), 2u);
  EXPECT_EQ(f.r.seen[0].operation, "PING");
  EXPECT_EQ(f.r.seen[1].operation, "_OTHER");
  EXPECT_EQ(f.r.seen[1].status, "1047");
  f.engine.on_connection(f.c.close(f.t + kMs));
  EXPECT_EQ(testing::total_drops(f.engine), 0u);
}

TEST(MySqlEngine, LostResultIsCountedAndTheNextQueryIsFollowed) {
  testing::DbFixture f(DbSystem::kMySql);
  f.c.capture = 64;
  f.request(query("SELECT * FROM big"));
  f.response(result(50, false));  // row headers past the capture
  EXPECT_TRUE(f.r.seen.empty());
  EXPECT_EQ(testing::drops(f.engine, DropReason::kTruncated), 1u);
  f.request(query("SELECT 1"));
  f.response(result(1, false));
  ASSERT_EQ(f.r.seen.size(), 1u);
  EXPECT_EQ(f.r.seen[0].operation, "SELECT");
}

TEST(MySqlEngine, ErrorWithoutItsCodeIsTruncatedAndAResponseWithoutCommandIsCounted) {
  testing::DbFixture f(DbSystem::kMySql);
  f.response(ok(1));  // its command came before kscope watched
  EXPECT_EQ(testing::drops(f.engine, DropReason::kResponseWithoutRequest), 1u);
  f.c.capture = 5;
  f.request(query("SELECT 1"));
  f.response(err(1, 1064));
  EXPECT_TRUE(f.r.seen.empty());
  EXPECT_EQ(testing::drops(f.engine, DropReason::kTruncated), 1u);
}

TEST(MySqlEngine, CompressionAndTheOldProtocolAreCountedAsUnparsed) {
  auto calls = testing::recorded_calls("mysql_simple.calls");
  ASSERT_GE(calls.size(), 2u);
  for (uint8_t flag : {0x20, 0x00}) {  // CLIENT_COMPRESS; without CLIENT_PROTOCOL_41
    auto session = calls;
    std::string& answer = session[1].bytes;  // the client's answer to the greeting
    if (flag) answer[4] = static_cast<char>(answer[4] | flag);
    else answer[5] = static_cast<char>(answer[5] & ~0x02);
    auto run = testing::replay_fresh(DbSystem::kMySql, session, 1 << 20);
    EXPECT_TRUE(run.recorder.seen.empty());
    EXPECT_EQ(run.drops[static_cast<size_t>(DropReason::kUnparsed)], 1u);
    EXPECT_EQ(run.total_drops(), 1u);
  }
}

}  // namespace
}  // namespace kscope::requests
