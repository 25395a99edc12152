#include "requests/pg_session.h"

#include <utility>

namespace kscope::requests {
namespace {

// The NUL-terminated string at the start of `body` (advancing it), and
// whether its terminator was captured.
std::string_view cstring(std::string_view& body, bool& terminated) {
  size_t nul = body.find('\0');
  terminated = nul != std::string_view::npos;
  std::string_view s = body.substr(0, nul);
  body.remove_prefix(terminated ? nul + 1 : body.size());
  return s;
}

// The SQLSTATE ('C' field) of an ErrorResponse body: five digits or
// capitals; "_OTHER" when it is malformed or missing, "" when the body was
// cut before it.
std::string sqlstate(std::string_view body, bool whole) {
  while (!body.empty() && body[0] != '\0') {
    char code = body[0];
    body.remove_prefix(1);
    bool terminated = false;
    std::string_view value = cstring(body, terminated);
    if (!terminated) return whole ? "_OTHER" : "";
    if (code != 'C') continue;
    if (value.size() != 5) break;
    for (char c : value) {
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return "_OTHER";
    }
    return std::string(value);
  }
  return whole ? "_OTHER" : "";
}

}  // namespace

class PgSession::FrontendListener final : public PgFramer::Listener {
 public:
  FrontendListener(PgSession& s, DbEvents& events) : s_(s), events_(events) {}

  void on_message(const PgFramer::Message& m) override {
    std::string_view body = m.body;
    bool terminated = false;
    switch (m.type) {
      case 0: start_up(m); break;
      case 'Q': {
        std::string_view sql = cstring(body, terminated);
        StatementSummary sum = summarize_sql(sql, terminated);
        Pending p;
        p.operation = std::move(sum.operation);
        p.collection = std::move(sum.collection);
        p.timestamp_ns = m.timestamp_ns;
        s_.enqueue(std::move(p), events_);
        break;
      }
      case 'P': {
        begin(m);
        bool name_whole = false;
        std::string_view name = cstring(body, name_whole);
        std::string_view sql = cstring(body, terminated);
        StatementSummary sum = summarize_sql(sql, name_whole && terminated);
        if (!s_.batch_executes_ && s_.batch_.operation.empty()) s_.batch_ = sum;
        if (name_whole) s_.remember(s_.statements_, name, std::move(sum));
        break;
      }
      case 'B': {
        begin(m);
        bool portal_whole = false;
        std::string_view portal = cstring(body, portal_whole);
        std::string_view statement = cstring(body, terminated);
        auto it = terminated ? s_.statements_.find(std::string(statement)) : s_.statements_.end();
        if (portal_whole) s_.remember(s_.portals_, portal, it == s_.statements_.end() ? StatementSummary{} : it->second);
        break;
      }
      case 'E': {
        begin(m);
        std::string_view portal = cstring(body, terminated);
        auto it = terminated ? s_.portals_.find(std::string(portal)) : s_.portals_.end();
        if (!s_.batch_executes_) {
          // A portal bound from a statement prepared before kscope watched
          // (or forgotten): its operation is unknown.
          s_.batch_ = it == s_.portals_.end() ? StatementSummary{} : it->second;
          s_.batch_executes_ = true;
        }
        break;
      }
      case 'C': {
        begin(m);
        if (body.empty()) break;
        char what = body[0];
        body.remove_prefix(1);
        std::string_view name = cstring(body, terminated);
        if (terminated) (what == 'S' ? s_.statements_ : s_.portals_).erase(std::string(name));
        break;
      }
      case 'D': begin(m); break;
      case 'S': s_.end_batch(events_); break;
      case 'F': {
        // A function call: answered by ReadyForQuery, operation unknown.
        Pending p;
        p.timestamp_ns = m.timestamp_ns;
        s_.enqueue(std::move(p), events_);
        break;
      }
      default: break;  // Flush, Terminate, COPY data, authentication
    }
  }

  void on_lost(bool) override {
    if (s_.batch_started_) {
      s_.batch_started_ = false;
      s_.enqueue_lost(DropReason::kTruncated, events_);
    }
    s_.gap_after_last(events_);
  }

 private:
  void begin(const PgFramer::Message& m) {
    if (s_.batch_started_) return;
    s_.batch_started_ = true;
    s_.batch_executes_ = false;
    s_.batch_ = {};
    s_.batch_ns_ = m.timestamp_ns;
  }

  void start_up(const PgFramer::Message& m) {
    if (m.body.size() < 4) return;
    uint32_t code = pg_be32(m.body);
    if (code == kPgSslRequest || code == kPgGssEncRequest) {
      s_.backend_.expect_ssl_answer();
      s_.frontend_.expect_untyped();  // then a StartupMessage, or TLS
    } else if ((code >> 16) == 3) {
      Pending p;
      p.silent = true;  // the start-up ends with the first ReadyForQuery
      s_.enqueue(std::move(p), events_);
    } else if (code != kPgCancelRequest) {
      events_.on_drop(DropReason::kUnparsed, 1);  // protocol 2 or not PostgreSQL
      s_.set_opaque();
    }
  }

  PgSession& s_;
  DbEvents& events_;
};

class PgSession::BackendListener final : public PgFramer::Listener {
 public:
  BackendListener(PgSession& s, DbEvents& events) : s_(s), events_(events) {}

  void on_message(const PgFramer::Message& m) override {
    if (m.type == 1) {
      if (!m.body.empty() && (m.body[0] == 'S' || m.body[0] == 'G')) {
        events_.on_drop(DropReason::kEncrypted, 1);
        s_.set_opaque();
      }
      return;
    }
    if (m.type == 'E' && s_.status_.empty() && !s_.status_unknown_) {
      s_.status_ = sqlstate(m.body, m.body_whole);
      // An error whose code was not captured: its request is counted as
      // truncated rather than recorded with a status nobody saw.
      s_.status_unknown_ = s_.status_.empty();
    }
    if (m.type == 'Z') {
      if (s_.status_unknown_) {
        Pending p;
        if (s_.take_answered(m.timestamp_ns, p, events_)) events_.on_drop(DropReason::kTruncated, 1);
      } else {
        s_.answer(s_.status_, m.timestamp_ns, events_);
      }
      s_.status_.clear();
      s_.status_unknown_ = false;
    }
  }
  void on_lost(bool) override {
    s_.status_.clear();
    s_.status_unknown_ = false;
    s_.lose_responses(events_);
  }

 private:
  PgSession& s_;
  DbEvents& events_;
};

void PgSession::remember(std::unordered_map<std::string, StatementSummary>& table, std::string_view name,
                         StatementSummary s) {
  if (name.size() > kMaxPgStatementName) return;
  auto it = table.find(std::string(name));
  if (it != table.end()) {
    it->second = std::move(s);
    return;
  }
  // Full: one is forgotten (its executions get no operation), never more
  // than the bound kept.
  if (table.size() >= kMaxPreparedStatements) table.erase(table.begin());
  table.emplace(std::string(name), std::move(s));
}

void PgSession::end_batch(DbEvents& events) {
  Pending p;
  if (batch_started_) {
    // A batch that executes nothing prepares a statement (Parse, Describe).
    p.operation = batch_executes_ || batch_.operation.empty() ? std::move(batch_.operation) : "PREPARE";
    p.collection = std::move(batch_.collection);
    p.timestamp_ns = batch_ns_;
  } else {
    p.silent = true;  // a Sync alone still gets its ReadyForQuery
  }
  batch_started_ = false;
  batch_executes_ = false;
  batch_ = {};
  enqueue(std::move(p), events);
}

size_t PgSession::carried_bytes() const { return frontend_.carried_bytes() + backend_.carried_bytes(); }

void PgSession::on_call(bool requests, std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns,
                        DbEvents& events) {
  if (opaque() || total_bytes == 0) return;
  if (requests) {
    if (frontend_.lost()) {
      if (!PgFramer::starts_message(PgFramer::Side::kFrontend, prefix)) return;
      frontend_.restart();
    }
    FrontendListener l(*this, events);
    frontend_.on_call(prefix, total_bytes, timestamp_ns, l);
    return;
  }
  if (responses_lost()) {
    if (!PgFramer::starts_message(PgFramer::Side::kBackend, prefix) || !try_resume_responses()) return;
    backend_.restart();
    status_.clear();
    status_unknown_ = false;
  }
  BackendListener l(*this, events);
  backend_.on_call(prefix, total_bytes, timestamp_ns, l);
}

}  // namespace kscope::requests
