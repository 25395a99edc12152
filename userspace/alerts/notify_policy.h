// What happens between the alert engine and the sinks: routing (label
// matchers and a minimum severity choose the sinks, first match wins unless
// `continue`), grouping (alerts sharing group_by labels wait group_wait,
// then go out together at most every group_interval, repeated every
// repeat_interval while firing and not all acknowledged), silences and
// maintenance windows (never notified, still evaluated and listed),
// acknowledgements, escalation, flapping, and a per-sink rate limit whose
// held-back alerts ride along in the next message.
//
// The model is Alertmanager's: state, not events. observe() records the
// engine's transitions; tick() looks at each group that is due and sends a
// sink what changed since it last heard of the group. So a silence that
// expires lets a still-firing alert through, and a restart that restores
// the sent log sends nothing new.
//
// Clock-free (the caller passes the time) so every rule is unit-tested with
// a fake clock. Thread-safe: one mutex; observe() from the collector,
// tick() from the notifier thread, the rest from HTTP handlers.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alerts/alert.h"
#include "alerts/maintenance.h"
#include "alerts/silence.h"
#include "config/notify_config.h"

namespace kscope {

struct Ack {
  std::string by;
  std::string comment;
  WallTime at{};
};

struct PolicyConfig {
  NotifyConfig notify;
  std::vector<RouteConfig> routes;  // empty: one route to every sink
  std::vector<MaintenanceConfig> maintenance;
  std::vector<std::string> sinks;  // the sinks the policy feeds, by name
};

// One message for one sink: delivered with one SinkTransport::deliver().
struct Delivery {
  std::string sink;
  std::vector<Notification> batch;
};

// How the policy sees an alert, for /api/v1/alerts.
struct AlertPolicyStatus {
  std::vector<std::string> silenced_by;  // silence ids and "maintenance:NAME"
  bool flapping = false;
  std::optional<Ack> ack;
  bool escalated = false;
};

// What survives a restart (alerts/policy_state.h writes it).
struct PolicySnapshot {
  struct Tracked {
    Alert alert;  // firing
    std::optional<Ack> ack;
    bool escalated = false;
  };
  struct Sent {
    std::string group;
    std::string sink;
    std::vector<std::pair<uint64_t, bool>> firing;  // fingerprint, sent as flapping
    WallTime at{};
  };
  std::vector<Silence> silences;
  std::vector<Tracked> alerts;
  std::vector<Sent> sent;
};

class NotificationPolicy {
 public:
  static Result<std::unique_ptr<NotificationPolicy>> create(PolicyConfig config);

  // A new config (SIGHUP); silences, acks and what was sent stay.
  Status reconfigure(PolicyConfig config);

  // The engine's notifications of one evaluation.
  void observe(const std::vector<Notification>& notes, WallTime now);
  // The messages due now.
  std::vector<Delivery> tick(WallTime now);

  // Silences. add_silence: a new one (empty id) or an update of a known one
  // (Alertmanager replaces it); an unknown id is an error.
  Result<Silence> add_silence(Silence s, WallTime now);
  std::vector<Silence> silences() const;
  std::optional<Silence> silence(const std::string& id) const;
  // Ends it now (DELETE); false for an unknown id.
  bool expire_silence(const std::string& id, WallTime now);

  enum class AckResult { kAcked, kUnknown, kNotFiring };
  AckResult ack(uint64_t fingerprint, Ack a);

  AlertPolicyStatus status(const Alert& a, WallTime now) const;

  // (sink, reason) -> notifications held back: silenced, maintenance,
  // flapping, rate_limited, unrouted (sink "none").
  std::map<std::pair<std::string, std::string>, uint64_t> suppressed() const;

  PolicySnapshot snapshot() const;
  // Restores state read at startup. Restored firing alerts wait for the
  // engine to see them again; one that does not fire again within
  // stale_after is resolved (and its resolution sent).
  void restore(const PolicySnapshot& s, WallTime now);
  // Whether state changed since the last snapshot() (so it is written).
  bool dirty() const;

  static constexpr auto kStaleAfter = std::chrono::minutes(2);

 private:
  struct Route {
    RouteConfig config;
    std::vector<LabelMatcher> matchers;
    GroupingConfig grouping;  // notify: with the route's overrides
  };
  struct TrackedAlert {
    Alert alert;
    std::optional<Ack> ack;
    bool escalated = false;
    bool stale = false;  // restored, not yet seen by the engine since
    WallTime restored_at{};
  };
  struct Group {
    size_t route = 0;
    std::set<uint64_t> members;
    WallTime next_flush{};
  };
  struct SentLog {
    std::map<uint64_t, bool> firing;
    WallTime at{};
  };
  struct SinkRate {
    std::deque<WallTime> sent;
    std::vector<Notification> held;
  };

  NotificationPolicy() = default;
  Status apply_config(PolicyConfig config);
  std::vector<size_t> routes_for(const Alert& a) const;
  std::string group_key(size_t route, const Alert& a) const;
  void join_groups(uint64_t fp, const Alert& a, WallTime now);
  std::vector<std::string> muted_by(const Alert& a, WallTime now) const;
  bool flapping(uint64_t fp, WallTime now);
  const std::vector<std::string>& route_sinks(const Route& r) const;
  void flush_group(const std::string& key, Group& g, WallTime now, std::vector<Delivery>& out);
  void escalate(WallTime now, std::vector<Delivery>& out);
  void emit(const std::string& sink, std::vector<Notification> batch, WallTime now, std::vector<Delivery>& out);
  void release_held(WallTime now, std::vector<Delivery>& out);

  mutable std::mutex mu_;
  PolicyConfig config_;
  std::vector<Route> routes_;
  MaintenanceSchedule maintenance_;
  std::map<std::string, CompiledSilence> silences_;
  std::map<uint64_t, TrackedAlert> alerts_;
  std::map<uint64_t, std::deque<WallTime>> toggles_;
  std::map<std::string, Group> groups_;
  std::map<std::pair<std::string, std::string>, SentLog> sent_;  // (group, sink)
  std::map<std::string, SinkRate> rates_;
  std::map<std::pair<std::string, std::string>, uint64_t> suppressed_;
  mutable bool dirty_ = false;
};

}  // namespace kscope
