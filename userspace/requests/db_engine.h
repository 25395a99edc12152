// The database request engine: one per database system (Redis,
// PostgreSQL, MySQL), fed the capture's events of the connections that speak it
// (protocol_recognition.h tells which), in order per connection. It keeps
// a bounded connection table (idle connections forgotten first,
// generations against fd reuse, as the HTTP matcher does), a session per
// connection (redis_session.h, pg_session.h, mysql_session.h) and the duration histograms,
// named as OpenTelemetry's database conventions are once exported to
// Prometheus:
//   db_client_operation_duration_seconds{db_system_name, db_operation_name,
//     db_collection_name, db_response_status_code, server_address,
//     server_port, <breakdown>}
//   kscope_db_server_operation_duration_seconds{... the same labels}
//   kscope_l7_dropped_total{protocol="redis"|"postgresql"|"mysql", reason}
// db_collection_name and db_response_status_code are "" when absent (a
// label with an empty value is no label in Prometheus). Capped like the
// HTTP families (capped_series.h): db_collection_name, server_address and
// server_port fold first.
//
// Timing: a client from the entry of the write that begins the request to
// the exit of the read that brings its answer (Redis: the reply's first
// byte; PostgreSQL: ReadyForQuery; MySQL: the response's last packet); a server from the exit of the read
// that brings the request's first byte to the entry of the write that
// carries the answer.
//
// Not thread-safe: one thread feeds it and collects from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"
#include "requests/capped_series.h"
#include "requests/connection_table.h"
#include "requests/db_session.h"
#include "requests/drop_reason.h"
#include "requests/process_labels.h"
#include "requests/socket_data.h"

namespace kscope::requests {

enum class DbSystem : uint8_t { kRedis, kPostgres, kMySql };

// "redis", "postgresql", "mysql": db_system_name, and the protocol of the
// drops.
std::string_view db_system_name(DbSystem s);

inline constexpr const char* kDbClientDurationMetric = "db_client_operation_duration_seconds";
inline constexpr const char* kDbServerDurationMetric = "kscope_db_server_operation_duration_seconds";

struct DbEngineConfig {
  DbSystem system = DbSystem::kRedis;
  size_t max_connections = 4096;
  uint64_t idle_timeout_ns = 300ull * 1000 * 1000 * 1000;
  DbQueueLimits queue;
  size_t max_series = 2000;     // per duration family
  std::string breakdown_label;  // "comm", "cgroup", ... or ""
  size_t max_breakdown = 0;     // values of the breakdown label kept; 0: no cap
};

// One answered request, for a trace stream. Views live for the call only.
struct DbExchange {
  DbSystem system = DbSystem::kRedis;
  Role role = Role::kUnknown;
  uint32_t tgid = 0;
  DbOutcome outcome;
  SocketAddress server;  // the server's end of the connection, when known
};

class DbEngine {
 public:
  DbEngine(DbEngineConfig config, ProcessResolver resolver);
  DbEngine(const DbEngine&) = delete;
  DbEngine& operator=(const DbEngine&) = delete;

  void on_connection(const ConnectionEvent& event);
  void on_data(const SocketData& data);
  // Forgets connections idle for idle_timeout_ns (their waiting requests
  // counted as evicted_in_flight) and the cached process labels.
  void evict_idle(uint64_t now_ns);

  void set_exchange_listener(std::function<void(const DbExchange&)> f) { listener_ = std::move(f); }

  // The two duration families (series with data) and this system's
  // series of kscope_l7_dropped_total (added to that family when present).
  void append(std::vector<Family>& out) const;

  const DropCounts& drops() const { return drops_; }
  size_t connections() const { return connections_.size(); }
  size_t pending() const { return pending_total_; }
  size_t carried_bytes() const;

 private:
  struct Connection {
    ConnectionId id;
    Role role = Role::kUnknown;
    SocketAddress server;
    bool tls = false;
    std::unique_ptr<DbSession> session;
    uint64_t last_ns = 0;
    std::list<uint64_t>::iterator lru;
  };
  class Events;

  std::unique_ptr<DbSession> new_session();
  // A connection being forgotten: its waiting requests counted as `reason`.
  void release(Connection& c, DropReason reason);
  // Finds or adds the connection, giving it a session when new.
  Connection* find_or_add(const ConnectionId& id, uint64_t now_ns, bool& table_full);
  // Which way the bytes go when the connection's role is unknown: from
  // what they say (a command, a query) or nothing yet.
  Role role_from_bytes(std::string_view prefix, Direction d) const;
  void record(const Connection& c, const DbOutcome& o);

  DbEngineConfig config_;
  ProcessLabelCache processes_;
  CappedSeries server_;
  CappedSeries client_;
  std::function<void(const DbExchange&)> listener_;
  size_t pending_total_ = 0;  // waiting requests in all sessions (they hold a reference: declared first)
  DropCounts drops_{};
  ConnectionTable<Connection> connections_;
};

}  // namespace kscope::requests
