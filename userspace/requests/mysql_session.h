// A MySQL or MariaDB connection (the classic protocol, 4.1 and later)
// followed from its bytes (packets: mysql_framer.h). The server speaks
// first (a greeting of protocol 10 with its capability flags); the client
// answers (its flags), and the authentication exchange that follows ends
// at the server's OK or ERR: none of it is an operation. A client that
// asks for SSL there is counted once as "encrypted" and not followed; one
// that negotiates compression (another framing) once as "unparsed".
//
// Then each command the client sends (sequence id 0) is one operation,
// answered in order, timed from its first byte to the response's last
// packet:
//   - COM_QUERY: the operation and table of its SQL (sql_summary.h, MySQL
//     dialect); a result set ends at its terminating EOF or OK packet (with
//     or without CLIENT_DEPRECATE_EOF: the packets' lengths tell which),
//     and several result sets (SERVER_MORE_RESULTS_EXISTS, a CALL, a
//     multi-statement) at the last one's.
//   - COM_STMT_PREPARE: "PREPARE" with the statement's table; the server's
//     statement id is remembered per connection (at most
//     kMaxMySqlStatements, the oldest forgotten first), so that
//     COM_STMT_EXECUTE is the prepared statement's operation and table
//     (none when it was prepared before kscope watched).
//   - COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA, COM_QUIT have no response
//     and are not operations; other commands are named after their COM_
//     code ("PING", "INIT_DB", "STMT_RESET", ...), "_OTHER" when unknown.
// The status is the ERR packet's error number ("1064", "1146"), empty on
// success. A replication stream (COM_BINLOG_DUMP) is not followed.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include "requests/db_session.h"
#include "requests/mysql_framer.h"
#include "requests/sql_summary.h"

namespace kscope::requests {

inline constexpr size_t kMaxMySqlStatements = 64;
// The most of a response packet read (ERR's code, OK's flags, a column
// count, COM_STMT_PREPARE's answer).
inline constexpr size_t kMySqlResponseKept = 64;

// Whether `bytes` begin like a command packet (sequence id 0, a command
// code a client sends): where a lost request stream may resume, and what a
// client alone sends.
bool mysql_starts_command(std::string_view bytes);
// Whether `bytes` begin like a server's greeting (protocol 10, a version
// string): what a server alone sends first.
bool mysql_starts_greeting(std::string_view bytes);

class MySqlSession final : public DbSession {
 public:
  using DbSession::DbSession;

  void on_call(bool requests, std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns,
               DbEvents& events) override;
  size_t carried_bytes() const override;

 private:
  class ClientListener;
  class ServerListener;

  enum class Phase : uint8_t { kStart, kAuth, kCommand };
  // The shape of the response a command waits for.
  enum class Expect : uint8_t { kResult, kPrepare, kSimple, kString, kRows, kUnknown };
  // Where in that response the server is.
  enum class Stage : uint8_t {
    kIdle, kFirst, kColumns, kColumnsEof, kRows, kPrepParams, kPrepParamsEof, kPrepColumns, kPrepColumnsEof
  };
  struct Waiting {
    Expect expect = Expect::kSimple;
    StatementSummary prepared;  // kPrepare: the statement, for its id
  };

  void on_command(const MySqlFramer::Packet& p, DbEvents& events);
  void on_handshake_response(const MySqlFramer::Packet& p, DbEvents& events);
  void on_response(const MySqlFramer::Packet& p, DbEvents& events);
  void on_result_packet(const MySqlFramer::Packet& p, DbEvents& events);
  // A command waits for a response of `expect` (queued in the base too).
  void expect(Pending p, Expect expect, StatementSummary prepared, DbEvents& events);
  // The front command's response ended with `status` ("" success; an
  // error number); `known` false when its code was not captured.
  void finish(std::string status, bool known, uint64_t timestamp_ns, DbEvents& events);
  // The params/columns of COM_STMT_PREPARE's answer are all read.
  void end_prepare(uint64_t timestamp_ns, DbEvents& events);
  // The responses' framing is lost (counted by the base).
  void lose(DbEvents& events);
  void remember(uint32_t id, StatementSummary s);
  bool deprecate_eof_known() const { return server_caps_known_ && client_caps_known_; }
  bool deprecate_eof() const;

  MySqlFramer client_{kMaxMySqlKept};
  MySqlFramer server_{kMySqlResponseKept};
  Phase phase_ = Phase::kStart;
  uint64_t server_caps_ = 0;
  uint64_t client_caps_ = 0;
  bool server_caps_known_ = false;
  bool client_caps_known_ = false;
  // What each command in the base's queue waits for (the same length: a
  // command the base dropped still has its answer to come).
  std::deque<Waiting> waiting_;
  Stage stage_ = Stage::kIdle;
  uint8_t next_seq_ = 0;
  bool any_seq_ = false;      // after LOCAL INFILE the client's packets moved the sequence on
  uint64_t columns_left_ = 0;
  uint64_t params_left_ = 0;
  bool swallow_eof_ = false;  // an EOF may close the prepare answered before it
  std::unordered_map<uint32_t, StatementSummary> statements_;  // by the server's statement id
  std::deque<uint32_t> statement_order_;                       // oldest first, for the bound
  StatementSummary last_prepared_;  // for MariaDB's "the statement just prepared" (id 0xffffffff)
};

}  // namespace kscope::requests
