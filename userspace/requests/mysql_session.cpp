#include "requests/mysql_session.h"

#include <algorithm>
#include <utility>

namespace kscope::requests {
namespace {

// Capability flags (the greeting's and the client's answer's).
constexpr uint64_t kClientCompress = 0x20;
constexpr uint64_t kClientProtocol41 = 0x200;
constexpr uint64_t kClientSsl = 0x800;
constexpr uint64_t kClientDeprecateEof = 0x01000000;
constexpr uint64_t kClientZstd = 0x04000000;
// Server status flags (OK and EOF packets).
constexpr uint32_t kMoreResultsExist = 0x0008;
constexpr uint32_t kCursorExists = 0x0040;
constexpr uint32_t kLastPrepared = 0xffffffff;  // MariaDB: the statement this pipeline just prepared
constexpr uint32_t kProgressReport = 0xffff;     // MariaDB's progress report, an ERR packet that is not one

constexpr uint8_t kOk = 0x00;
constexpr uint8_t kEof = 0xfe;
constexpr uint8_t kErr = 0xff;
constexpr uint8_t kLocalInfile = 0xfb;

uint8_t byte_at(std::string_view b, size_t i) { return static_cast<uint8_t>(b[i]); }

// A length-encoded integer at b[pos] (advancing pos); false when it was
// not captured whole or is not one.
bool lenenc(std::string_view b, size_t& pos, uint64_t& value) {
  if (pos >= b.size()) return false;
  uint8_t first = byte_at(b, pos);
  size_t n = first < 0xfb ? 0 : first == 0xfc ? 2 : first == 0xfd ? 3 : first == 0xfe ? 8 : 99;
  if (n == 99 || pos + 1 + n > b.size()) return false;
  value = n == 0 ? first : 0;
  for (size_t i = 0; i < n; ++i) value |= static_cast<uint64_t>(byte_at(b, pos + 1 + i)) << (8 * i);
  pos += 1 + n;
  return true;
}

// The status flags of an OK or EOF packet; 0 when not captured (then no
// more result sets are expected).
uint32_t status_flags(const MySqlFramer::Packet& p) {
  std::string_view b = p.payload;
  if (p.length == 5 && !b.empty() && byte_at(b, 0) == kEof) return b.size() >= 5 ? mysql_le16(b.substr(3)) : 0;
  size_t pos = 1;
  uint64_t ignored = 0;
  if (!lenenc(b, pos, ignored) || !lenenc(b, pos, ignored) || pos + 2 > b.size()) return 0;
  return mysql_le16(b.substr(pos));
}

// The end of a result set: an EOF packet (5 bytes), or with
// CLIENT_DEPRECATE_EOF an OK packet with the EOF header. A row that begins
// with 0xfe holds a value of 16 MiB or more, so its packet is full-size.
bool terminator(const MySqlFramer::Packet& p) { return byte_at(p.payload, 0) == kEof && p.length < kMySqlMaxPayload; }
bool eof_packet(const MySqlFramer::Packet& p) { return byte_at(p.payload, 0) == kEof && p.length == 5; }

// Commands with a plain OK/ERR (or EOF) answer, by code.
std::string_view simple_command(uint8_t code) {
  switch (code) {
    case 0x02: return "INIT_DB";
    case 0x05: return "CREATE_DB";
    case 0x06: return "DROP_DB";
    case 0x07: return "REFRESH";
    case 0x08: return "SHUTDOWN";
    case 0x0c: return "PROCESS_KILL";
    case 0x0d: return "DEBUG";
    case 0x0e: return "PING";
    case 0x15: return "REGISTER_SLAVE";
    case 0x1a: return "STMT_RESET";
    case 0x1b: return "SET_OPTION";
    case 0x1f: return "RESET_CONNECTION";
    default: return "_OTHER";
  }
}

}  // namespace

bool mysql_starts_command(std::string_view b) {
  if (b.size() < 5 || b[3] != 0 || mysql_le24(b) == 0) return false;
  uint8_t code = byte_at(b, 4);
  // 0x0a (COM_PROCESS_INFO, gone from MySQL 8) is the greeting's first byte.
  return (code >= 0x01 && code <= 0x1f && code != 0x0a) || code == 0xfa;
}

bool mysql_starts_greeting(std::string_view b) {
  if (b.size() < 7 || b[3] != 0 || byte_at(b, 4) != 0x0a || b[5] < '0' || b[5] > '9') return false;
  uint32_t length = mysql_le24(b);
  if (length < 20 || length > 1024) return false;
  // A version ("8.0.36", "5.5.5-10.11.6-MariaDB-0+deb12u1") ended by NUL.
  for (size_t i = 5; i < b.size() && i < 5 + 96; ++i) {
    char c = b[i];
    if (c == 0) return i > 6;
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' ||
              c == '_' || c == '+' || c == '~';
    if (!ok) return false;
  }
  return false;
}

class MySqlSession::ClientListener final : public MySqlFramer::Listener {
 public:
  ClientListener(MySqlSession& s, DbEvents& events) : s_(s), events_(events) {}

  void on_packet(const MySqlFramer::Packet& p) override {
    if (p.continuation || s_.opaque()) return;
    switch (s_.phase_) {
      case Phase::kStart:
        // Picked up after the greeting: the answer to it, or a command.
        if (p.seq == 1) {
          s_.phase_ = Phase::kAuth;
          s_.on_handshake_response(p, events_);
        } else if (p.seq == 0) {
          s_.phase_ = Phase::kCommand;
          s_.on_command(p, events_);
        }
        break;
      case Phase::kAuth:
        if (p.seq == 0) {
          // A command: the authentication ended in bytes not followed.
          s_.phase_ = Phase::kCommand;
          s_.on_command(p, events_);
        } else if (p.seq == 1 && !s_.client_caps_known_) {
          s_.on_handshake_response(p, events_);
        }
        break;  // other packets carry authentication data
      case Phase::kCommand:
        // Packets with a later sequence id carry data (LOCAL INFILE).
        if (p.seq == 0) s_.on_command(p, events_);
        break;
    }
  }

  void on_lost() override {
    // The commands in the unseen bytes are unknown.
    s_.gap_after_last(events_);
    if (s_.responses_lost()) s_.lose(events_);
  }

 private:
  MySqlSession& s_;
  DbEvents& events_;
};

class MySqlSession::ServerListener final : public MySqlFramer::Listener {
 public:
  ServerListener(MySqlSession& s, DbEvents& events) : s_(s), events_(events) {}

  void on_packet(const MySqlFramer::Packet& p) override {
    if (s_.opaque()) return;
    const uint8_t type = p.payload.empty() ? 0 : byte_at(p.payload, 0);
    if (s_.phase_ == Phase::kStart) {
      if (p.seq == 0 && type == 0x0a) {
        greeting(p.payload);
        s_.phase_ = Phase::kAuth;
        return;
      }
      if (p.seq == 0) return;  // an ERR instead of a greeting (too many connections)
      s_.phase_ = Phase::kCommand;  // picked up in the middle
    }
    if (s_.phase_ == Phase::kAuth) {
      // OK or ERR ends the authentication; anything else continues it
      // (AuthSwitchRequest, AuthMoreData).
      if (!p.payload.empty() && (type == kOk || type == kErr)) s_.phase_ = Phase::kCommand;
      return;
    }
    s_.on_response(p, events_);
  }

  void on_lost() override { s_.lose(events_); }

 private:
  // Protocol 10: version, connection id, 8 bytes of scramble, a filler,
  // the capabilities' lower half, charset, status, their upper half.
  void greeting(std::string_view b) {
    size_t nul = b.find('\0', 1);
    if (nul == std::string_view::npos) return;
    size_t caps = nul + 1 + 4 + 8 + 1;
    if (b.size() < caps + 2) return;
    s_.server_caps_ = mysql_le16(b.substr(caps));
    if (b.size() >= caps + 7) s_.server_caps_ |= static_cast<uint64_t>(mysql_le16(b.substr(caps + 5))) << 16;
    s_.server_caps_known_ = true;
  }

  MySqlSession& s_;
  DbEvents& events_;
};

bool MySqlSession::deprecate_eof() const {
  return (server_caps_ & client_caps_ & kClientDeprecateEof) != 0;
}

void MySqlSession::on_handshake_response(const MySqlFramer::Packet& p, DbEvents& events) {
  if (p.payload.size() < 4) return;
  client_caps_ = mysql_le32(p.payload);
  client_caps_known_ = true;
  const uint64_t server = server_caps_known_ ? server_caps_ : ~uint64_t{0};
  if (!(client_caps_ & kClientProtocol41)) {
    events.on_drop(DropReason::kUnparsed, 1);  // the pre-4.1 protocol
    set_opaque();
  } else if (client_caps_ & kClientSsl) {
    // An SSLRequest: TLS follows, the real answer inside it.
    events.on_drop(DropReason::kEncrypted, 1);
    set_opaque();
  } else if (client_caps_ & server & (kClientCompress | kClientZstd)) {
    events.on_drop(DropReason::kUnparsed, 1);  // compressed packets: another framing
    set_opaque();
  }
}

void MySqlSession::remember(uint32_t id, StatementSummary s) {
  auto it = statements_.find(id);
  if (it != statements_.end()) {
    it->second = std::move(s);
    return;
  }
  // Full: the oldest is forgotten (its executions get no operation).
  if (statements_.size() >= kMaxMySqlStatements && !statement_order_.empty()) {
    statements_.erase(statement_order_.front());
    statement_order_.pop_front();
  }
  statements_.emplace(id, std::move(s));
  statement_order_.push_back(id);
}

void MySqlSession::expect(Pending p, Expect e, StatementSummary prepared, DbEvents& events) {
  enqueue(std::move(p), events);
  waiting_.push_back({e, std::move(prepared)});
  // A client that queues more than the base keeps (MariaDB pipelines):
  // the shapes are kept as far as the base keeps its own count.
  if (waiting_.size() > 4 * kMaxMySqlStatements + 1024) lose(events);
}

void MySqlSession::on_command(const MySqlFramer::Packet& p, DbEvents& events) {
  if (p.payload.empty()) {
    // The command code was not captured: its answer's shape is unknown.
    enqueue_lost(DropReason::kTruncated, events);
    waiting_.push_back({Expect::kUnknown, {}});
    return;
  }
  const uint8_t code = byte_at(p.payload, 0);
  const std::string_view body = p.payload.substr(1);
  const bool complete = p.whole && p.length < kMySqlMaxPayload;
  Pending pending;
  pending.timestamp_ns = p.timestamp_ns;
  switch (code) {
    case 0x03: {  // COM_QUERY
      StatementSummary sum = summarize_sql(body, complete, SqlDialect::kMySql);
      pending.operation = std::move(sum.operation);
      pending.collection = std::move(sum.collection);
      expect(std::move(pending), Expect::kResult, {}, events);
      return;
    }
    case 0x16: {  // COM_STMT_PREPARE
      StatementSummary sum = summarize_sql(body, complete, SqlDialect::kMySql);
      last_prepared_ = sum;
      pending.operation = "PREPARE";
      pending.collection = sum.collection;
      expect(std::move(pending), Expect::kPrepare, std::move(sum), events);
      return;
    }
    case 0x17:    // COM_STMT_EXECUTE
    case 0xfa: {  // COM_STMT_BULK_EXECUTE (MariaDB)
      if (body.size() >= 4) {
        uint32_t id = mysql_le32(body);
        auto it = statements_.find(id);
        const StatementSummary* s = id == kLastPrepared ? &last_prepared_ : it == statements_.end() ? nullptr : &it->second;
        if (s) {
          pending.operation = s->operation;
          pending.collection = s->collection;
        }
      }
      expect(std::move(pending), Expect::kResult, {}, events);
      return;
    }
    case 0x19:  // COM_STMT_CLOSE: no answer
      if (body.size() >= 4) {
        uint32_t id = mysql_le32(body);
        statements_.erase(id);
        statement_order_.erase(std::remove(statement_order_.begin(), statement_order_.end(), id),
                               statement_order_.end());
      }
      return;
    case 0x01:  // COM_QUIT
    case 0x18:  // COM_STMT_SEND_LONG_DATA: no answer
      return;
    case 0x11:  // COM_CHANGE_USER: authentication again; statements are gone
      statements_.clear();
      statement_order_.clear();
      phase_ = Phase::kAuth;
      return;
    case 0x12:  // COM_BINLOG_DUMP
    case 0x1e:  // COM_BINLOG_DUMP_GTID: a replication stream, not answers
      set_opaque();
      return;
    case 0x1c:  // COM_STMT_FETCH: rows of a cursor
      pending.operation = "STMT_FETCH";
      expect(std::move(pending), Expect::kRows, {}, events);
      return;
    case 0x04:  // COM_FIELD_LIST: column definitions, then EOF
      pending.operation = "FIELD_LIST";
      expect(std::move(pending), Expect::kRows, {}, events);
      return;
    case 0x09:  // COM_STATISTICS: one string
      pending.operation = "STATISTICS";
      expect(std::move(pending), Expect::kString, {}, events);
      return;
    case 0x0a:  // COM_PROCESS_INFO: a result set
      pending.operation = "PROCESS_INFO";
      expect(std::move(pending), Expect::kResult, {}, events);
      return;
    default:
      if (code == 0x1f) {
        statements_.clear();
        statement_order_.clear();
      }
      pending.operation = simple_command(code);
      expect(std::move(pending), Expect::kSimple, {}, events);
      return;
  }
}

void MySqlSession::finish(std::string status, bool known, uint64_t timestamp_ns, DbEvents& events) {
  waiting_.pop_front();
  stage_ = Stage::kIdle;
  if (known) {
    answer(status, timestamp_ns, events);
  } else {
    // An error whose code was not captured: counted, not recorded with a
    // status nobody saw.
    Pending p;
    if (take_answered(timestamp_ns, p, events)) events.on_drop(DropReason::kTruncated, 1);
  }
  if (responses_lost()) lose(events);  // the command was followed by unseen ones
}

void MySqlSession::lose(DbEvents& events) {
  lose_responses(events);
  waiting_.clear();
  stage_ = Stage::kIdle;
  swallow_eof_ = false;
}

void MySqlSession::end_prepare(uint64_t timestamp_ns, DbEvents& events) {
  if (!deprecate_eof_known()) {
    // An EOF may or may not follow: answered now, and an EOF next is
    // taken as this answer's.
    finish("", true, timestamp_ns, events);
    swallow_eof_ = true;
  } else if (deprecate_eof()) {
    finish("", true, timestamp_ns, events);
  } else {
    stage_ = Stage::kPrepColumnsEof;
  }
}

void MySqlSession::on_response(const MySqlFramer::Packet& p, DbEvents& events) {
  if (stage_ == Stage::kIdle) {
    if (p.continuation) return;
    if (swallow_eof_ && !p.payload.empty() && eof_packet(p) && p.seq == next_seq_) {
      swallow_eof_ = false;
      return;
    }
    swallow_eof_ = false;
    if (waiting_.empty()) {
      // Counted once per response: at its first packet.
      if (p.seq == 1) events.on_drop(DropReason::kResponseWithoutRequest, 1);
      return;
    }
    stage_ = Stage::kFirst;
  } else if (!any_seq_ && p.seq != next_seq_) {
    lose(events);  // not the packet that had to come next
    return;
  }
  any_seq_ = false;
  next_seq_ = static_cast<uint8_t>(p.seq + 1);
  if (p.continuation) return;  // the rest of a large row
  if (p.payload.empty()) {
    if (p.length > 0) lose(events);  // its first byte was not captured
    return;
  }
  on_result_packet(p, events);
}

void MySqlSession::on_result_packet(const MySqlFramer::Packet& p, DbEvents& events) {
  const uint8_t type = byte_at(p.payload, 0);
  if (type == kErr) {
    if (p.payload.size() < 3) {
      finish(p.whole ? "_OTHER" : "", p.whole, p.timestamp_ns, events);
      return;
    }
    uint32_t code = mysql_le16(p.payload.substr(1));
    if (code == kProgressReport) return;
    finish(std::to_string(code), true, p.timestamp_ns, events);
    return;
  }
  const Expect e = waiting_.front().expect;
  switch (stage_) {
    case Stage::kIdle: break;
    case Stage::kFirst:
      if (e == Expect::kRows) {
        stage_ = Stage::kRows;
        on_result_packet(p, events);
        return;
      }
      if (e == Expect::kString) {
        finish("", true, p.timestamp_ns, events);
        return;
      }
      if (e == Expect::kPrepare && type == kOk) {
        // COM_STMT_PREPARE_OK: id, columns, params.
        if (p.payload.size() < 9) {
          lose(events);
          return;
        }
        remember(mysql_le32(p.payload.substr(1)), std::move(waiting_.front().prepared));
        columns_left_ = mysql_le16(p.payload.substr(5));
        params_left_ = mysql_le16(p.payload.substr(7));
        if (params_left_ > 0) {
          stage_ = Stage::kPrepParams;
        } else if (columns_left_ > 0) {
          stage_ = Stage::kPrepColumns;
        } else {
          finish("", true, p.timestamp_ns, events);
        }
        return;
      }
      if (type == kOk || type == kEof) {
        if (e == Expect::kResult && (status_flags(p) & kMoreResultsExist)) return;  // the next result set follows
        finish("", true, p.timestamp_ns, events);
        return;
      }
      if (e == Expect::kResult && type == kLocalInfile) {
        any_seq_ = true;  // the client sends the file; then OK or ERR
        return;
      }
      if (e == Expect::kResult) {
        size_t pos = 0;
        uint64_t columns = 0;
        if (!lenenc(p.payload, pos, columns) || columns == 0) {
          lose(events);
          return;
        }
        // MariaDB's cached metadata (and MySQL's optional metadata): a
        // byte after the count says whether column definitions follow.
        const bool no_metadata = p.whole && p.payload.size() == pos + 1 && p.payload[pos] == 0;
        columns_left_ = no_metadata ? 0 : columns;
        stage_ = columns_left_ > 0 ? Stage::kColumns : Stage::kColumnsEof;
        return;
      }
      if (e == Expect::kSimple) {
        finish("", true, p.timestamp_ns, events);
        return;
      }
      lose(events);  // an answer of unknown shape, or a prepare answered oddly
      return;
    case Stage::kColumns:
      if (--columns_left_ == 0) stage_ = Stage::kColumnsEof;
      return;
    case Stage::kColumnsEof:
      stage_ = Stage::kRows;
      if (eof_packet(p)) {
        // Without CLIENT_DEPRECATE_EOF an EOF ends the definitions; with a
        // cursor opened, the rows come by COM_STMT_FETCH.
        if (status_flags(p) & kCursorExists) finish("", true, p.timestamp_ns, events);
        return;
      }
      on_result_packet(p, events);  // CLIENT_DEPRECATE_EOF: a row or the end
      return;
    case Stage::kRows:
      if (!terminator(p)) return;  // a row
      if (e == Expect::kResult && (status_flags(p) & kMoreResultsExist)) {
        stage_ = Stage::kFirst;
        return;
      }
      finish("", true, p.timestamp_ns, events);
      return;
    case Stage::kPrepParams:
      if (--params_left_ > 0) return;
      if (columns_left_ == 0) {
        end_prepare(p.timestamp_ns, events);
      } else {
        stage_ = deprecate_eof_known() && deprecate_eof() ? Stage::kPrepColumns : Stage::kPrepParamsEof;
      }
      return;
    case Stage::kPrepParamsEof:
      stage_ = Stage::kPrepColumns;
      if (eof_packet(p)) return;
      on_result_packet(p, events);  // no EOF (CLIENT_DEPRECATE_EOF): a column definition
      return;
    case Stage::kPrepColumns:
      if (--columns_left_ == 0) end_prepare(p.timestamp_ns, events);
      return;
    case Stage::kPrepColumnsEof:
      if (type == kEof) finish("", true, p.timestamp_ns, events);
      else lose(events);
      return;
  }
}

size_t MySqlSession::carried_bytes() const { return client_.carried_bytes() + server_.carried_bytes(); }

void MySqlSession::on_call(bool requests, std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns,
                           DbEvents& events) {
  if (opaque() || total_bytes == 0) return;
  if (requests) {
    if (client_.lost()) {
      // mysqld reads a header alone: 4 bytes of sequence id 0 may begin a
      // command too.
      const bool header = total_bytes == 4 && prefix.size() == 4 && prefix[3] == 0 && mysql_le24(prefix) > 0;
      if (!header && !mysql_starts_command(prefix)) return;
      client_.restart();
    }
    ClientListener l(*this, events);
    client_.on_call(prefix, total_bytes, timestamp_ns, l);
    return;
  }
  if (responses_lost()) {
    // A response begins with sequence id 1 (its command's was 0).
    if (prefix.size() < 5 || prefix[3] != 1 || !try_resume_responses()) return;
    server_.restart();
    phase_ = Phase::kCommand;
    stage_ = Stage::kIdle;
    swallow_eof_ = false;
  }
  ServerListener l(*this, events);
  server_.on_call(prefix, total_bytes, timestamp_ns, l);
}

}  // namespace kscope::requests
