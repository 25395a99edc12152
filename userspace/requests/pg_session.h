// A PostgreSQL connection (protocol 3) followed from its bytes. One
// exchange per ReadyForQuery: a simple Query, or an extended-protocol
// batch (Parse/Bind/Describe/Execute ... Sync), timed from the request's
// first byte to the server's ReadyForQuery. The operation and table come
// from the SQL text (sql_summary.h): a Query's, or for a batch that of the
// statement its first Execute runs (named prepared statements are
// remembered per connection, at most kMaxPreparedStatements); a batch that
// executes nothing (Parse and Describe only) is "PREPARE", with the table
// of the statement it prepares. The status is the SQLSTATE of the first ErrorResponse
// before ReadyForQuery, empty on success. A connection whose SSLRequest
// (or GSSENCRequest) the server accepts is encrypted: counted once
// (reason "encrypted") and not parsed, unless its plaintext is captured
// through the TLS library (then the engine starts a fresh session on it).
#pragma once

#include <string>
#include <unordered_map>

#include "requests/db_session.h"
#include "requests/pg_framer.h"
#include "requests/sql_summary.h"

namespace kscope::requests {

inline constexpr size_t kMaxPreparedStatements = 64;
inline constexpr size_t kMaxPgStatementName = 64;

class PgSession final : public DbSession {
 public:
  using DbSession::DbSession;

  void on_call(bool requests, std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns,
               DbEvents& events) override;
  size_t carried_bytes() const override;

 private:
  class FrontendListener;
  class BackendListener;

  // Remembers a statement's summary under `name`; bounded.
  void remember(std::unordered_map<std::string, StatementSummary>& table, std::string_view name,
                StatementSummary s);
  // The batch since the last Sync becomes one request.
  void end_batch(DbEvents& events);

  PgFramer frontend_{PgFramer::Side::kFrontend, "QPBEC"};
  PgFramer backend_{PgFramer::Side::kBackend, "EZ"};
  std::unordered_map<std::string, StatementSummary> statements_;  // prepared statements by name
  std::unordered_map<std::string, StatementSummary> portals_;     // bound portals by name
  // The extended-protocol batch in progress (messages since the last Sync).
  bool batch_started_ = false;
  bool batch_executes_ = false;  // an Execute set the batch's statement
  uint64_t batch_ns_ = 0;
  StatementSummary batch_;
  std::string status_;  // the first SQLSTATE since the last ReadyForQuery
  bool status_unknown_ = false;  // that error's code was not captured
};

}  // namespace kscope::requests
