#include "requests/db_engine.h"

#include <utility>

#include "model/cardinality.h"
#include "requests/mysql_session.h"
#include "requests/pg_framer.h"
#include "requests/pg_session.h"
#include "requests/redis_session.h"
#include "requests/request_metrics.h"

namespace kscope::requests {

std::string_view db_system_name(DbSystem s) {
  switch (s) {
    case DbSystem::kRedis: return "redis";
    case DbSystem::kPostgres: return "postgresql";
    case DbSystem::kMySql: return "mysql";  // MariaDB too: docs/databases.md says why
  }
  return "redis";
}

class DbEngine::Events final : public DbEvents {
 public:
  Events(DbEngine& e, const Connection& c) : e_(e), c_(c) {}
  void on_exchange(const DbOutcome& o) override { e_.record(c_, o); }
  void on_drop(DropReason reason, uint64_t n) override { e_.drops_[static_cast<size_t>(reason)] += n; }

 private:
  DbEngine& e_;
  const Connection& c_;
};

DbEngine::DbEngine(DbEngineConfig config, ProcessResolver resolver)
    : config_(std::move(config)),
      processes_(std::move(resolver)),
      server_(config_.max_series, {"db_collection_name", "server_address", "server_port"}, config_.breakdown_label),
      client_(config_.max_series, {"db_collection_name", "server_address", "server_port"}, config_.breakdown_label),
      connections_(config_.max_connections, config_.idle_timeout_ns,
                   [this](Connection& c, DropReason reason) { release(c, reason); }) {
  if (config_.queue.max_in_flight == 0) config_.queue.max_in_flight = 1;
}

std::unique_ptr<DbSession> DbEngine::new_session() {
  if (config_.system == DbSystem::kRedis) return std::make_unique<RedisSession>(config_.queue, pending_total_);
  if (config_.system == DbSystem::kMySql) return std::make_unique<MySqlSession>(config_.queue, pending_total_);
  return std::make_unique<PgSession>(config_.queue, pending_total_);
}

size_t DbEngine::carried_bytes() const {
  size_t n = 0;
  connections_.for_each([&n](const Connection& c) { n += c.session->carried_bytes(); });
  return n;
}

void DbEngine::release(Connection& c, DropReason reason) {
  uint64_t waiting = c.session->unanswered();
  if (waiting > 0) drops_[static_cast<size_t>(reason)] += waiting;
}

DbEngine::Connection* DbEngine::find_or_add(const ConnectionId& id, uint64_t now_ns, bool& table_full) {
  Connection* c = connections_.find_or_add(id, now_ns, table_full);
  if (c && !c->session) c->session = new_session();
  return c;
}

void DbEngine::on_connection(const ConnectionEvent& event) {
  if (event.kind == ConnectionEvent::Kind::kClose) {
    connections_.close(event.conn);
    return;
  }
  bool table_full = false;
  Connection* c = find_or_add(event.conn, event.timestamp_ns, table_full);
  // A full table is counted when a request arrives on the connection.
  if (!c) return;
  c->role = event.role;
  c->server = event.role == Role::kServer ? event.local : event.peer;
}

Role DbEngine::role_from_bytes(std::string_view prefix, Direction d) const {
  if (prefix.empty()) return Role::kUnknown;
  bool request = false;
  bool response = false;
  if (config_.system == DbSystem::kRedis) {
    request = prefix.size() >= 2 && prefix[0] == '*' && prefix[1] >= '0' && prefix[1] <= '9';
    response = prefix[0] == '+' || prefix[0] == '-' || prefix[0] == ':' || prefix[0] == '$';
  } else if (config_.system == DbSystem::kMySql) {
    // The server's greeting against a query or a prepared statement's
    // command (COM_QUERY, COM_STMT_PREPARE, COM_STMT_EXECUTE).
    request = mysql_starts_command(prefix) && (prefix[4] == 0x03 || prefix[4] == 0x16 || prefix[4] == 0x17);
    response = mysql_starts_greeting(prefix);
  } else {
    // Types only one side sends: Query, Parse, Bind against ReadyForQuery,
    // RowDescription, ParseComplete, BindComplete.
    std::string_view front = "QPB";
    std::string_view back = "ZT12";
    request = PgFramer::starts_message(PgFramer::Side::kFrontend, prefix) && front.find(prefix[0]) != front.npos;
    response = PgFramer::starts_message(PgFramer::Side::kBackend, prefix) && back.find(prefix[0]) != back.npos;
  }
  if (request == response) return Role::kUnknown;
  const bool reading = d == Direction::kRead;
  return request == reading ? Role::kServer : Role::kClient;
}

void DbEngine::on_data(const SocketData& data) {
  if (data.total_bytes == 0) return;
  bool table_full = false;
  Connection* c = find_or_add(data.conn, data.timestamp_ns, table_full);
  if (!c) {
    // A full table: the request this call may begin is not followed.
    if (table_full && role_from_bytes(data.prefix, data.direction) == (data.direction == Direction::kRead ? Role::kServer : Role::kClient)) {
      drops_[static_cast<size_t>(DropReason::kTableFull)] += 1;
    }
    return;
  }
  if (data.tls != c->tls) {
    // Ciphertext is never the protocol; once plaintext is seen through the
    // TLS library, only that is followed, from a fresh session.
    if (!data.tls) return;
    Events events(*this, *c);
    uint64_t waiting = c->session->unanswered();
    if (waiting > 0) events.on_drop(DropReason::kClosedInFlight, waiting);
    c->session = new_session();
    c->tls = true;
  }
  if (c->role == Role::kUnknown) c->role = data.role;
  if (c->role == Role::kUnknown) c->role = role_from_bytes(data.prefix, data.direction);
  if (c->role == Role::kUnknown) return;
  const bool requests = (c->role == Role::kServer) == (data.direction == Direction::kRead);
  Events events(*this, *c);
  c->session->on_call(requests, data.prefix, data.total_bytes, data.timestamp_ns, events);
}

void DbEngine::evict_idle(uint64_t now_ns) {
  connections_.evict_idle(now_ns);
  processes_.clear();
}

void DbEngine::record(const Connection& c, const DbOutcome& o) {
  const ProcessLabels& p = processes_.get(c.id.tgid);
  Labels labels;
  labels.reserve(7);
  labels.emplace_back("db_system_name", db_system_name(config_.system));
  labels.emplace_back("db_operation_name", o.operation);
  labels.emplace_back("db_collection_name", o.collection);
  labels.emplace_back("db_response_status_code", o.status);
  labels.emplace_back("server_address", address_text(c.server));
  labels.emplace_back("server_port", c.server.known ? std::to_string(c.server.port) : "unknown");
  if (!config_.breakdown_label.empty()) labels.emplace_back(config_.breakdown_label, p.breakdown);
  (c.role == Role::kClient ? client_ : server_).record_ns(std::move(labels), o.response_ns - o.request_ns);
  if (listener_) {
    DbExchange e;
    e.system = config_.system;
    e.role = c.role;
    e.tgid = c.id.tgid;
    e.outcome = o;
    e.server = c.server;
    listener_(e);
  }
}

void DbEngine::append(std::vector<Family>& out) const {
  // The Redis and PostgreSQL engines share these families.
  const struct {
    const char* name;
    const char* help;
    const CappedSeries& series;
  } families[] = {
      {kDbClientDurationMetric,
       "Duration of database operations as their clients see them: from the request's first write to the arrival "
       "of its answer.",
       client_},
      {kDbServerDurationMetric,
       "Duration of database operations in the server: from the request's arrival to the write of its answer.",
       server_},
  };
  for (const auto& f : families) {
    Family& family = family_in(out, f.name, f.help, MetricType::kHistogram);
    f.series.append_to(family);
    if (!config_.breakdown_label.empty() && config_.max_breakdown > 0) {
      fold_breakdown(family, config_.breakdown_label, config_.max_breakdown);
    }
  }
  append_drops(out, db_system_name(config_.system), drops_);
}

}  // namespace kscope::requests
