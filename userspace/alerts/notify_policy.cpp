#include "alerts/notify_policy.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "alerts/payloads.h"

namespace kscope {
namespace {

constexpr size_t kMaxHeld = 1000;  // alerts held back per rate-limited sink
constexpr auto kExpiredSilenceRetention = std::chrono::hours(24);
constexpr size_t kMaxSilences = 10000;

std::string_view label_value(const Alert& a, const std::string& name) {
  for (const auto& [k, v] : a.labels) {
    if (k == name) return v;
  }
  return {};
}

// Firing first, then by target: a message reads from what hurts now.
void sort_batch(std::vector<Notification>& b) {
  std::stable_sort(b.begin(), b.end(), [](const Notification& x, const Notification& y) {
    bool xf = x.kind != Notification::Kind::kResolved, yf = y.kind != Notification::Kind::kResolved;
    if (xf != yf) return xf;
    if (x.alert.rule != y.alert.rule) return x.alert.rule < y.alert.rule;
    return x.alert.target < y.alert.target;
  });
}

// Adds b's alerts to held, the newest state of each alert winning.
void merge_into(std::vector<Notification>& held, const std::vector<Notification>& b) {
  for (const auto& n : b) {
    auto same = std::find_if(held.begin(), held.end(),
                             [&](const Notification& h) { return h.alert.fingerprint == n.alert.fingerprint; });
    if (same != held.end()) *same = n;
    else held.push_back(n);
  }
}

}  // namespace

Result<std::unique_ptr<NotificationPolicy>> NotificationPolicy::create(PolicyConfig config) {
  std::unique_ptr<NotificationPolicy> p(new NotificationPolicy());
  if (auto st = p->apply_config(std::move(config)); !st) return st.error();
  return p;
}

Status NotificationPolicy::reconfigure(PolicyConfig config) {
  std::lock_guard lock(mu_);
  return apply_config(std::move(config));
}

Status NotificationPolicy::apply_config(PolicyConfig config) {
  std::vector<Route> routes;
  if (config.routes.empty()) config.routes.push_back(RouteConfig{});  // every alert to every sink
  for (const auto& rc : config.routes) {
    Route r{rc, {}, config.notify.grouping};
    for (const auto& [name, spec] : rc.match) {
      auto m = LabelMatcher::parse_spec(name, spec);
      if (!m) return m.error().with_context("route");
      r.matchers.push_back(std::move(*m));
    }
    if (rc.group_by) r.grouping.group_by = *rc.group_by;
    if (rc.group_wait) r.grouping.group_wait = *rc.group_wait;
    if (rc.group_interval) r.grouping.group_interval = *rc.group_interval;
    if (rc.repeat_interval) r.grouping.repeat_interval = *rc.repeat_interval;
    routes.push_back(std::move(r));
  }
  auto schedule = MaintenanceSchedule::create(config.maintenance);
  if (!schedule) return schedule.error();
  // Groups are keyed by route: a changed route list starts its groups anew
  // (what was sent stays, so an unchanged route sends nothing again).
  if (routes.size() != routes_.size()) groups_.clear();
  routes_ = std::move(routes);
  maintenance_ = std::move(*schedule);
  config_ = std::move(config);
  for (const auto& [fp, t] : alerts_) join_groups(fp, t.alert, WallTime{});
  return ok_status();
}

std::vector<size_t> NotificationPolicy::routes_for(const Alert& a) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    if (r.config.min_severity && a.severity < *r.config.min_severity) continue;
    bool all = std::all_of(r.matchers.begin(), r.matchers.end(),
                           [&](const LabelMatcher& m) { return m.matches_value(label_value(a, m.name())); });
    if (!all) continue;
    out.push_back(i);
    if (!r.config.continue_matching) break;
  }
  return out;
}

std::string NotificationPolicy::group_key(size_t route, const Alert& a) const {
  // \x1f and \x1e cannot appear in label names and separate the parts.
  std::string key = std::to_string(route);
  const auto& by = routes_[route].grouping.group_by;
  if (by.size() == 1 && by[0] == "...") return key + "\x1f" + fmt_fingerprint(a.fingerprint);
  for (const auto& l : by) {
    key += "\x1f" + l + "\x1e";
    key += label_value(a, l);
  }
  return key;
}

void NotificationPolicy::join_groups(uint64_t fp, const Alert& a, WallTime now) {
  for (size_t r : routes_for(a)) {
    std::string key = group_key(r, a);
    auto [it, fresh] = groups_.try_emplace(key);
    if (fresh) {
      it->second.route = r;
      it->second.next_flush = now + routes_[r].grouping.group_wait;
    }
    it->second.members.insert(fp);
  }
}

std::vector<std::string> NotificationPolicy::muted_by(const Alert& a, WallTime now) const {
  std::vector<std::string> out;
  for (const auto& [id, s] : silences_) {
    if (silence_state(s.silence(), now) == SilenceState::kActive && s.matches(a.labels)) out.push_back(id);
  }
  for (auto& name : maintenance_.active(a.labels, now)) out.push_back("maintenance:" + name);
  return out;
}

bool NotificationPolicy::flapping(uint64_t fp, WallTime now) {
  const auto& f = config_.notify.flapping;
  if (f.transitions == 0) return false;
  auto it = toggles_.find(fp);
  if (it == toggles_.end()) return false;
  while (!it->second.empty() && now - it->second.front() > f.window) it->second.pop_front();
  if (it->second.empty()) {
    toggles_.erase(it);
    return false;
  }
  return it->second.size() > f.transitions;
}

const std::vector<std::string>& NotificationPolicy::route_sinks(const Route& r) const {
  return r.config.sinks.empty() ? config_.sinks : r.config.sinks;
}

void NotificationPolicy::observe(const std::vector<Notification>& notes, WallTime now) {
  std::lock_guard lock(mu_);
  for (const auto& n : notes) {
    const uint64_t fp = n.alert.fingerprint;
    auto it = alerts_.find(fp);
    if (n.kind == Notification::Kind::kRefresh) {
      if (it != alerts_.end() && it->second.alert.state == AlertState::kFiring) {
        it->second.alert.value = n.alert.value;
        it->second.alert.annotations = n.alert.annotations;
      }
      continue;
    }
    if (config_.notify.flapping.transitions > 0) {
      auto& t = toggles_[fp];
      t.push_back(now);
      if (t.size() > 4 * size_t(config_.notify.flapping.transitions) + 8) t.pop_front();
    }
    dirty_ = true;
    if (n.kind == Notification::Kind::kFiring) {
      if (it == alerts_.end()) {
        it = alerts_.emplace(fp, TrackedAlert{n.alert, {}, false, false, {}}).first;
      } else {
        TrackedAlert& t = it->second;
        const bool same_episode = t.alert.state == AlertState::kFiring;
        WallTime fired = t.alert.fired_at;
        t.alert = n.alert;
        if (same_episode) {
          t.alert.fired_at = fired;  // restored before a restart: the episode goes on
        } else {
          t.ack.reset();
          t.escalated = false;
        }
        t.stale = false;
      }
      join_groups(fp, n.alert, now);
    } else {
      if (it == alerts_.end()) continue;
      it->second.alert = n.alert;
      it->second.ack.reset();  // an ack lasts until the alert resolves
      it->second.stale = false;
    }
    // Counted once per transition, per sink that would have heard of it.
    std::string reason;
    if (auto muted = muted_by(n.alert, now); !muted.empty()) {
      reason = muted.front().starts_with("maintenance:") ? "maintenance" : "silenced";
    } else if (flapping(fp, now)) {
      reason = "flapping";
    }
    auto routes = routes_for(n.alert);
    if (routes.empty()) ++suppressed_[{"none", "unrouted"}];
    if (reason.empty()) continue;
    for (size_t r : routes) {
      for (const auto& s : route_sinks(routes_[r])) ++suppressed_[{s, reason}];
    }
  }
}

void NotificationPolicy::flush_group(const std::string& key, Group& g, WallTime now, std::vector<Delivery>& out) {
  const Route& route = routes_[g.route];
  std::map<uint64_t, bool> firing;  // fingerprint -> flapping
  std::vector<uint64_t> resolved, drop;
  bool any_unacked = false;
  for (uint64_t fp : g.members) {
    auto it = alerts_.find(fp);
    if (it == alerts_.end()) {
      drop.push_back(fp);
      continue;
    }
    const TrackedAlert& t = it->second;
    const bool flap = flapping(fp, now);
    const bool muted = !muted_by(t.alert, now).empty();
    if (t.alert.state == AlertState::kFiring || flap) {
      if (!muted) {
        firing[fp] = flap;
        any_unacked = any_unacked || !t.ack;
      }
    } else {
      resolved.push_back(fp);
    }
  }
  for (const auto& sink : route_sinks(route)) {
    SentLog& log = sent_[{key, sink}];
    bool changed = false;
    for (const auto& [fp, flap] : firing) {
      auto s = log.firing.find(fp);
      if (s == log.firing.end() || s->second != flap) changed = true;
    }
    std::vector<uint64_t> send_resolved;
    for (uint64_t fp : resolved) {
      if (log.firing.count(fp) && muted_by(alerts_.at(fp).alert, now).empty()) send_resolved.push_back(fp);
    }
    const auto repeat = route.grouping.repeat_interval;
    const bool repeat_due = repeat.count() > 0 && !firing.empty() && any_unacked && now - log.at >= repeat;
    if (!changed && send_resolved.empty() && !repeat_due) continue;
    std::vector<Notification> batch;
    for (const auto& [fp, flap] : firing) {
      Notification n{log.firing.count(fp) ? Notification::Kind::kRefresh : Notification::Kind::kFiring,
                     alerts_.at(fp).alert};
      if (flap) n.alert.annotations.emplace_back("flapping", "true");
      batch.push_back(std::move(n));
    }
    for (uint64_t fp : send_resolved) batch.push_back({Notification::Kind::kResolved, alerts_.at(fp).alert});
    log.firing = firing;
    log.at = now;
    dirty_ = true;
    sort_batch(batch);
    emit(sink, std::move(batch), now, out);
  }
  for (uint64_t fp : resolved) drop.push_back(fp);
  for (uint64_t fp : drop) g.members.erase(fp);
  g.next_flush = now + route.grouping.group_interval;
}

void NotificationPolicy::escalate(WallTime now, std::vector<Delivery>& out) {
  std::map<std::string, std::vector<Notification>> by_sink;
  for (auto& [fp, t] : alerts_) {
    if (t.alert.state != AlertState::kFiring || t.ack || t.escalated || t.stale) continue;
    if (!muted_by(t.alert, now).empty() || flapping(fp, now)) continue;
    for (size_t r : routes_for(t.alert)) {
      const RouteConfig& rc = routes_[r].config;
      if (rc.escalate_after.count() <= 0 || now - t.alert.fired_at < rc.escalate_after) continue;
      Notification n{Notification::Kind::kFiring, t.alert};
      n.alert.annotations.emplace_back("escalated", "not acknowledged after " + format_duration(rc.escalate_after));
      for (const auto& s : rc.escalate_to) merge_into(by_sink[s], {n});
      t.escalated = true;
      dirty_ = true;
    }
  }
  for (auto& [sink, batch] : by_sink) {
    sort_batch(batch);
    emit(sink, std::move(batch), now, out);
  }
}

void NotificationPolicy::emit(const std::string& sink, std::vector<Notification> batch, WallTime now,
                              std::vector<Delivery>& out) {
  auto limit = std::find_if(config_.notify.rate_limits.begin(), config_.notify.rate_limits.end(),
                            [&](const RateLimitConfig& r) { return r.sink == sink; });
  if (limit == config_.notify.rate_limits.end()) {
    out.push_back({sink, std::move(batch)});
    return;
  }
  SinkRate& rate = rates_[sink];
  while (!rate.sent.empty() && now - rate.sent.front() >= limit->period) rate.sent.pop_front();
  if (rate.sent.size() < limit->messages) {
    // What was held back rides along: the message says all that happened.
    std::vector<Notification> merged = std::move(rate.held);
    rate.held.clear();
    merge_into(merged, batch);
    sort_batch(merged);
    rate.sent.push_back(now);
    out.push_back({sink, std::move(merged)});
    return;
  }
  suppressed_[{sink, "rate_limited"}] += batch.size();
  merge_into(rate.held, batch);
  if (rate.held.size() > kMaxHeld) rate.held.erase(rate.held.begin(), rate.held.end() - kMaxHeld);
}

void NotificationPolicy::release_held(WallTime now, std::vector<Delivery>& out) {
  for (auto& [sink, rate] : rates_) {
    if (rate.held.empty()) continue;
    emit(sink, {}, now, out);
  }
}

std::vector<Delivery> NotificationPolicy::tick(WallTime now) {
  std::lock_guard lock(mu_);
  std::vector<Delivery> out;
  // Restored alerts the engine no longer reports resolve.
  for (auto& [fp, t] : alerts_) {
    if (t.stale && now - t.restored_at >= kStaleAfter) {
      t.stale = false;
      t.alert.state = AlertState::kResolved;
      t.alert.resolved_at = now;
      dirty_ = true;
    }
  }
  escalate(now, out);
  for (auto& [key, g] : groups_) {
    if (now >= g.next_flush) flush_group(key, g, now, out);
  }
  release_held(now, out);
  // Forget what nothing refers to any more.
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (!it->second.members.empty()) {
      ++it;
      continue;
    }
    for (auto s = sent_.lower_bound({it->first, ""}); s != sent_.end() && s->first.first == it->first;) s = sent_.erase(s);
    it = groups_.erase(it);
  }
  std::set<uint64_t> grouped;
  for (const auto& [k, g] : groups_) grouped.insert(g.members.begin(), g.members.end());
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    bool keep = grouped.count(it->first) || it->second.alert.state == AlertState::kFiring;
    it = keep ? std::next(it) : alerts_.erase(it);
  }
  for (auto it = silences_.begin(); it != silences_.end();) {
    bool old = now - it->second.silence().ends_at > kExpiredSilenceRetention;
    if (old) dirty_ = true;
    it = old ? silences_.erase(it) : std::next(it);
  }
  for (auto it = toggles_.begin(); it != toggles_.end();) {
    bool old = it->second.empty() || now - it->second.back() > config_.notify.flapping.window;
    it = old ? toggles_.erase(it) : std::next(it);
  }
  return out;
}

Result<Silence> NotificationPolicy::add_silence(Silence s, WallTime now) {
  std::lock_guard lock(mu_);
  if (!s.id.empty() && !silences_.count(s.id)) return Error("no silence with id " + s.id);
  if (s.id.empty()) {
    if (silences_.size() >= kMaxSilences) return Error("too many silences (10000); expire some first");
    s.id = new_silence_id();
  }
  s.updated_at = now;
  auto c = CompiledSilence::compile(s);
  if (!c) return c.error();
  silences_.insert_or_assign(s.id, std::move(*c));
  dirty_ = true;
  return s;
}

std::vector<Silence> NotificationPolicy::silences() const {
  std::lock_guard lock(mu_);
  std::vector<Silence> out;
  for (const auto& [id, s] : silences_) out.push_back(s.silence());
  return out;
}

std::optional<Silence> NotificationPolicy::silence(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = silences_.find(id);
  if (it == silences_.end()) return std::nullopt;
  return it->second.silence();
}

bool NotificationPolicy::expire_silence(const std::string& id, WallTime now) {
  std::lock_guard lock(mu_);
  auto it = silences_.find(id);
  if (it == silences_.end()) return false;
  Silence& s = it->second.silence();
  if (s.ends_at > now) s.ends_at = now;
  if (s.starts_at > s.ends_at) s.starts_at = s.ends_at;
  s.updated_at = now;
  dirty_ = true;
  return true;
}

NotificationPolicy::AckResult NotificationPolicy::ack(uint64_t fp, Ack a) {
  std::lock_guard lock(mu_);
  auto it = alerts_.find(fp);
  if (it == alerts_.end()) return AckResult::kUnknown;
  if (it->second.alert.state != AlertState::kFiring) return AckResult::kNotFiring;
  it->second.ack = std::move(a);
  dirty_ = true;
  return AckResult::kAcked;
}

AlertPolicyStatus NotificationPolicy::status(const Alert& a, WallTime now) const {
  std::lock_guard lock(mu_);
  AlertPolicyStatus st;
  st.silenced_by = muted_by(a, now);
  auto it = alerts_.find(a.fingerprint);
  if (it != alerts_.end() && a.fingerprint != 0) {
    st.ack = it->second.ack;
    st.escalated = it->second.escalated;
  }
  auto t = toggles_.find(a.fingerprint);
  const auto& f = config_.notify.flapping;
  if (f.transitions > 0 && t != toggles_.end()) {
    st.flapping = std::count_if(t->second.begin(), t->second.end(), [&](WallTime w) { return now - w <= f.window; }) >
                  static_cast<long>(f.transitions);
  }
  return st;
}

std::map<std::pair<std::string, std::string>, uint64_t> NotificationPolicy::suppressed() const {
  std::lock_guard lock(mu_);
  return suppressed_;
}

PolicySnapshot NotificationPolicy::snapshot() const {
  std::lock_guard lock(mu_);
  PolicySnapshot s;
  for (const auto& [id, c] : silences_) s.silences.push_back(c.silence());
  for (const auto& [fp, t] : alerts_) {
    if (t.alert.state == AlertState::kFiring) s.alerts.push_back({t.alert, t.ack, t.escalated});
  }
  for (const auto& [k, log] : sent_) {
    PolicySnapshot::Sent e{k.first, k.second, {}, log.at};
    for (const auto& [fp, flap] : log.firing) e.firing.emplace_back(fp, flap);
    s.sent.push_back(std::move(e));
  }
  dirty_ = false;
  return s;
}

void NotificationPolicy::restore(const PolicySnapshot& s, WallTime now) {
  std::lock_guard lock(mu_);
  for (const auto& sil : s.silences) {
    auto c = CompiledSilence::compile(sil);
    if (!c) {
      spdlog::warn("alert state: dropping silence id={}: {}", sil.id, c.error().to_string());
      continue;
    }
    silences_.insert_or_assign(sil.id, std::move(*c));
  }
  for (const auto& t : s.alerts) {
    TrackedAlert ta{t.alert, t.ack, t.escalated, true, now};
    ta.alert.state = AlertState::kFiring;
    alerts_[t.alert.fingerprint] = ta;
    join_groups(t.alert.fingerprint, t.alert, now);
  }
  for (const auto& e : s.sent) {
    SentLog& log = sent_[{e.group, e.sink}];
    for (const auto& [fp, flap] : e.firing) log.firing[fp] = flap;
    log.at = e.at;
  }
}

bool NotificationPolicy::dirty() const {
  std::lock_guard lock(mu_);
  return dirty_;
}

}  // namespace kscope
