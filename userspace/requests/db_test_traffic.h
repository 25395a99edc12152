// Test helpers for the database engines: the recorded connections of
// testdata/*.calls (record_calls.py: each recv() of a loopback relay, in
// order across both directions) replayed as the capture would deliver
// them, and the outcomes the engine recorded. Tests only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "requests/db_engine.h"
#include "requests/test_traffic.h"

namespace kscope::requests::testing {

struct Call {
  bool from_client = true;
  std::string bytes;
};

// The calls of testdata/NAME (format in record_calls.py); empty if absent.
inline std::vector<Call> recorded_calls(const std::string& name) {
  std::string all = traffic(name);
  std::vector<Call> calls;
  size_t pos = 0;
  while (pos < all.size()) {
    size_t nl = all.find('\n', pos);
    if (nl == std::string::npos || nl - pos < 3) break;
    Call c;
    c.from_client = all[pos] == '>';
    size_t n = std::stoul(all.substr(pos + 2, nl - pos - 2));
    c.bytes = all.substr(nl + 1, n);
    calls.push_back(std::move(c));
    pos = nl + 1 + n + 1;
  }
  return calls;
}

// One outcome as the engine recorded it.
struct DbSeen {
  std::string operation;
  std::string collection;
  std::string status;
  uint64_t duration_ns = 0;
  Role role = Role::kUnknown;
};

struct DbRecorder {
  std::vector<DbSeen> seen;
  void attach(DbEngine& engine) {
    engine.set_exchange_listener([this](const DbExchange& e) {
      seen.push_back({std::string(e.outcome.operation), std::string(e.outcome.collection),
                      std::string(e.outcome.status), e.outcome.response_ns - e.outcome.request_ns, e.role});
    });
  }
  // Counts by (operation, status).
  std::map<std::pair<std::string, std::string>, uint64_t> counts() const {
    std::map<std::pair<std::string, std::string>, uint64_t> m;
    for (const auto& s : seen) ++m[{s.operation, s.status}];
    return m;
  }
};

// (operation, collection, status) of each outcome recorded, in order.
using DbKey = std::tuple<std::string, std::string, std::string>;
inline std::vector<DbKey> outcome_keys(const DbRecorder& r) {
  std::vector<DbKey> k;
  for (const auto& s : r.seen) k.emplace_back(s.operation, s.collection, s.status);
  return k;
}

// The first outcome of `got` that is not, in order, one of `truth` (the
// outcomes of the whole capture), as "operation/collection/status"; ""
// when all are. A statement cut by the capture may lose its table or even
// its keyword (then left empty), never get another's.
inline std::string first_untrue(const std::vector<DbKey>& got, const std::vector<DbKey>& truth) {
  auto fits = [](const DbKey& seen, const DbKey& real) {
    return (std::get<0>(seen) == std::get<0>(real) || std::get<0>(seen).empty()) &&
           (std::get<1>(seen) == std::get<1>(real) || std::get<1>(seen).empty()) &&
           std::get<2>(seen) == std::get<2>(real);
  };
  size_t j = 0;
  for (const DbKey& k : got) {
    while (j < truth.size() && !fits(k, truth[j])) ++j;
    if (j == truth.size()) return std::get<0>(k) + "/" + std::get<1>(k) + "/" + std::get<2>(k);
    ++j;
  }
  return "";
}

// Replays `calls` on connection `c` (a server reads what the client sent,
// a client writes it), one millisecond apart, each captured up to
// c.capture bytes; opens the connection first and closes it last.
inline void replay(DbEngine& engine, const Conn& c, const std::vector<Call>& calls, uint64_t start_ns = 0) {
  engine.on_connection(c.open(start_ns, ipv4(127, 0, 0, 1, 6379)));
  uint64_t t = start_ns;
  for (const Call& call : calls) {
    t += kMs;
    const bool read = (c.role == Role::kServer) == call.from_client;
    engine.on_data(read ? c.read(t, call.bytes) : c.write(t, call.bytes));
  }
  engine.on_connection(c.close(t + kMs));
}

// A recording replayed on a fresh engine of `system`.
struct Replayed {
  DbRecorder recorder;
  DropCounts drops{};
  uint64_t total_drops() const {
    uint64_t n = 0;
    for (uint64_t d : drops) n += d;
    return n;
  }
};
inline Replayed replay_fresh(DbSystem system, const std::vector<Call>& calls, size_t capture,
                             Role role = Role::kServer) {
  DbEngineConfig cfg;
  cfg.system = system;
  DbEngine engine(cfg, {});
  Replayed out;
  out.recorder.attach(engine);
  Conn c;
  c.capture = capture;
  c.role = role;
  replay(engine, c, calls);
  out.drops = engine.drops();
  return out;
}

// An engine with one connection opened, fed by hand: requests read and
// answers written by the server, a millisecond apart.
struct DbFixture {
  DbEngine engine;
  DbRecorder r;
  Conn c;
  uint64_t t = 0;
  explicit DbFixture(DbSystem system) : engine(config(system), {}) {
    r.attach(engine);
    engine.on_connection(c.open(0));
  }
  void request(std::string_view bytes) { engine.on_data(c.read(t += kMs, bytes)); }
  void response(std::string_view bytes) { engine.on_data(c.write(t += kMs, bytes)); }

 private:
  static DbEngineConfig config(DbSystem system) {
    DbEngineConfig cfg;
    cfg.system = system;
    return cfg;
  }
};

inline uint64_t total_drops(const DbEngine& e) {
  uint64_t n = 0;
  for (uint64_t d : e.drops()) n += d;
  return n;
}

inline uint64_t drops(const DbEngine& e, DropReason r) { return e.drops()[static_cast<size_t>(r)]; }

}  // namespace kscope::requests::testing
