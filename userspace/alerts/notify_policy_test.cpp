#include "alerts/notify_policy.h"

#include <gtest/gtest.h>

#include "alerts/policy_state.h"

#include <unistd.h>

#include <cstdlib>

namespace kscope {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = WallTime(std::chrono::seconds(1'800'000'000));

Alert alert(const std::string& rule, const std::string& target, const std::string& severity = "warning") {
  Alert a;
  a.rule = rule;
  a.severity = *parse_severity(severity);
  a.target = target;
  a.state = AlertState::kFiring;
  a.labels = {{"alertname", rule}, {"comm", target}, {"severity", severity}};
  a.fingerprint = label_fingerprint(a.labels);
  a.fired_at = kT0;
  return a;
}

Notification firing(const Alert& a) { return {Notification::Kind::kFiring, a}; }
Notification resolved(Alert a) {
  a.state = AlertState::kResolved;
  return {Notification::Kind::kResolved, a};
}

std::unique_ptr<NotificationPolicy> make(PolicyConfig c) {
  if (c.sinks.empty()) c.sinks = {"chat", "pager"};
  auto p = NotificationPolicy::create(std::move(c));
  EXPECT_TRUE(p) << p.error().to_string();
  return std::move(*p);
}

size_t count_for(const std::vector<Delivery>& d, const std::string& sink) {
  return static_cast<size_t>(std::count_if(d.begin(), d.end(), [&](const Delivery& x) { return x.sink == sink; }));
}

TEST(NotificationPolicy, WithoutConfigEveryAlertGoesAloneAndAtOnceToEverySink) {
  auto p = make({});
  p->observe({firing(alert("A", "x")), firing(alert("A", "y"))}, kT0);
  auto d = p->tick(kT0);
  ASSERT_EQ(d.size(), 4u);  // two alerts x two sinks, one message each
  for (const auto& x : d) EXPECT_EQ(x.batch.size(), 1u);
  EXPECT_TRUE(p->tick(kT0 + 1s).empty()) << "nothing changed: nothing sent again";
  p->observe({resolved(alert("A", "x"))}, kT0 + 2s);
  d = p->tick(kT0 + 2s);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].batch[0].kind, Notification::Kind::kResolved);
}

TEST(NotificationPolicy, RoutesBySeverityFirstMatchUnlessContinue) {
  PolicyConfig c;
  RouteConfig crit;
  crit.min_severity = Severity::kCritical;
  crit.sinks = {"pager"};
  RouteConfig rest;
  rest.sinks = {"chat"};
  c.routes = {crit, rest};
  auto p = make(c);
  p->observe({firing(alert("Disk", "db", "critical")), firing(alert("Lat", "web", "warning"))}, kT0);
  auto d = p->tick(kT0);
  ASSERT_EQ(d.size(), 2u);
  for (const auto& x : d) {
    ASSERT_EQ(x.batch.size(), 1u);
    EXPECT_EQ(x.sink, x.batch[0].alert.severity == Severity::kCritical ? "pager" : "chat");
  }
  c.routes[0].continue_matching = true;
  p = make(c);
  p->observe({firing(alert("Disk", "db", "critical"))}, kT0);
  d = p->tick(kT0);
  EXPECT_EQ(count_for(d, "pager"), 1u);
  EXPECT_EQ(count_for(d, "chat"), 1u);
}

TEST(NotificationPolicy, RouteMatchersUseTheLabelMatcherSyntax) {
  PolicyConfig c;
  RouteConfig r;
  r.match = {{"comm", "=~web.*"}, {"alertname", "!=Noise"}};
  r.sinks = {"chat"};
  c.routes = {r};
  auto p = make(c);
  p->observe({firing(alert("A", "web1")), firing(alert("Noise", "web2")), firing(alert("A", "db"))}, kT0);
  auto d = p->tick(kT0);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].batch[0].alert.target, "web1");
  EXPECT_EQ((p->suppressed()[std::pair<std::string, std::string>("none", "unrouted")]), 2u);
}

TEST(NotificationPolicy, TenTargetsFiringTogetherAreOneMessageAfterGroupWait) {
  PolicyConfig c;
  c.notify.grouping.group_by = {"alertname"};
  c.notify.grouping.group_wait = 5s;
  c.notify.grouping.group_interval = 30s;
  c.sinks = {"chat"};
  auto p = make(c);
  std::vector<Notification> notes;
  for (int i = 0; i < 10; ++i) notes.push_back(firing(alert("Lat", "t" + std::to_string(i))));
  p->observe(notes, kT0);
  EXPECT_TRUE(p->tick(kT0 + 4s).empty()) << "still inside group_wait";
  auto d = p->tick(kT0 + 5s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].batch.size(), 10u);
  // An 11th target joins: it waits for group_interval, then the message lists all 11.
  p->observe({firing(alert("Lat", "t10"))}, kT0 + 6s);
  EXPECT_TRUE(p->tick(kT0 + 20s).empty());
  d = p->tick(kT0 + 35s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].batch.size(), 11u);
  EXPECT_EQ(std::count_if(d[0].batch.begin(), d[0].batch.end(),
                          [](const Notification& n) { return n.kind == Notification::Kind::kFiring; }),
            1) << "only the newcomer is new; the rest are still firing";
}

TEST(NotificationPolicy, RepeatIntervalResendsUntilAcknowledged) {
  PolicyConfig c;
  c.notify.grouping.repeat_interval = 10s;
  c.sinks = {"chat"};
  auto p = make(c);
  Alert a = alert("A", "x");
  p->observe({firing(a)}, kT0);
  EXPECT_EQ(p->tick(kT0).size(), 1u);
  EXPECT_TRUE(p->tick(kT0 + 9s).empty());
  auto d = p->tick(kT0 + 10s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].batch[0].kind, Notification::Kind::kRefresh);
  EXPECT_EQ(p->ack(a.fingerprint, {"ana", "on it", kT0 + 11s}), NotificationPolicy::AckResult::kAcked);
  EXPECT_TRUE(p->tick(kT0 + 25s).empty()) << "acknowledged: no more repeats";
  EXPECT_EQ(p->ack(12345, {"ana", "", kT0}), NotificationPolicy::AckResult::kUnknown);
  // Resolving ends the ack: the next episode repeats again.
  p->observe({resolved(a)}, kT0 + 30s);
  EXPECT_EQ(p->tick(kT0 + 30s).size(), 1u);
  p->observe({firing(a)}, kT0 + 40s);
  EXPECT_EQ(p->tick(kT0 + 40s).size(), 1u);
  EXPECT_FALSE(p->status(a, kT0 + 41s).ack);
  EXPECT_EQ(p->tick(kT0 + 50s).size(), 1u);
}

TEST(NotificationPolicy, EscalatesOnceWhenNotAcknowledgedInTime) {
  PolicyConfig c;
  RouteConfig r;
  r.sinks = {"chat"};
  r.escalate_after = 60s;
  r.escalate_to = {"pager"};
  c.routes = {r};
  auto p = make(c);
  Alert a = alert("A", "x");
  p->observe({firing(a)}, kT0);
  EXPECT_EQ(count_for(p->tick(kT0), "pager"), 0u);
  EXPECT_EQ(count_for(p->tick(kT0 + 59s), "pager"), 0u);
  auto d = p->tick(kT0 + 60s);
  ASSERT_EQ(count_for(d, "pager"), 1u);
  EXPECT_EQ(count_for(p->tick(kT0 + 120s), "pager"), 0u) << "escalated once per episode";
  // Acknowledged in time: no escalation.
  Alert b = alert("B", "y");
  b.fired_at = kT0 + 200s;
  p->observe({firing(b)}, kT0 + 200s);
  (void)p->tick(kT0 + 200s);
  ASSERT_EQ(p->ack(b.fingerprint, {"ana", "", kT0 + 210s}), NotificationPolicy::AckResult::kAcked);
  EXPECT_EQ(count_for(p->tick(kT0 + 300s), "pager"), 0u);
}

TEST(NotificationPolicy, SilenceSuppressesThenExpiresAndTheAlertGoesOut) {
  auto p = make({});
  Silence s;
  s.matchers = {{"alertname", "A", false, true}};
  s.starts_at = kT0;
  s.ends_at = kT0 + 60s;
  s.created_by = "ana";
  s.comment = "deploy";
  auto added = p->add_silence(s, kT0);
  ASSERT_TRUE(added);
  Alert a = alert("A", "x");
  p->observe({firing(a), firing(alert("B", "x"))}, kT0 + 1s);
  auto d = p->tick(kT0 + 1s);
  ASSERT_EQ(d.size(), 2u) << "B on both sinks, A silenced";
  for (const auto& x : d) EXPECT_EQ(x.batch[0].alert.rule, "B");
  auto st = p->status(a, kT0 + 2s);
  ASSERT_EQ(st.silenced_by.size(), 1u);
  EXPECT_EQ(st.silenced_by[0], added->id);
  EXPECT_EQ((p->suppressed()[std::pair<std::string, std::string>("chat", "silenced")]), 1u);
  EXPECT_TRUE(p->tick(kT0 + 30s).empty());
  d = p->tick(kT0 + 60s);
  ASSERT_EQ(d.size(), 2u) << "silence over: the still-firing alert is notified";
  EXPECT_EQ(d[0].batch[0].alert.rule, "A");
  // DELETE expires it at once.
  added = p->add_silence(s, kT0 + 61s);
  EXPECT_TRUE(p->expire_silence(added->id, kT0 + 62s));
  EXPECT_EQ(silence_state(*p->silence(added->id), kT0 + 62s), SilenceState::kExpired);
  EXPECT_FALSE(p->expire_silence("nope", kT0));
}

TEST(NotificationPolicy, MaintenanceWindowMutesByLocalTime) {
  PolicyConfig c;
  MaintenanceConfig m;
  m.name = "backups";
  m.match = {{"alertname", "A"}};
  m.weekdays = {6};  // Saturday
  m.start_minute = 60;
  m.end_minute = 180;
  m.time_zone = "Europe/Berlin";
  c.maintenance = {m};
  auto p = NotificationPolicy::create(c);
  if (!p) GTEST_SKIP() << "no tzdata: " << p.error().to_string();
  // Saturday 2026-07-04 01:30 in Berlin is 23:30 UTC on Friday.
  WallTime inside = WallTime(std::chrono::seconds(days_from_civil(2026, 7, 3) * 86400 + 23 * 3600 + 1800));
  WallTime outside = inside + 2h;
  Alert a = alert("A", "x");
  EXPECT_EQ((*p)->status(a, inside).silenced_by, std::vector<std::string>{"maintenance:backups"});
  EXPECT_TRUE((*p)->status(a, outside).silenced_by.empty());
  EXPECT_TRUE((*p)->status(alert("B", "x"), inside).silenced_by.empty());
}

TEST(NotificationPolicy, FlappingAlertIsNotifiedOnceAndHeld) {
  PolicyConfig c;
  c.notify.flapping = {3, 10min};
  c.sinks = {"chat"};
  auto p = make(c);
  Alert a = alert("A", "x");
  size_t sent = 0;
  WallTime t = kT0;
  for (int i = 0; i < 6; ++i, t += 10s) {
    p->observe({i % 2 == 0 ? firing(a) : resolved(a)}, t);
    for (const auto& d : p->tick(t)) sent += d.batch.size();
  }
  // fire, resolve, fire (3 changes, each sent), then flapping: one message
  // saying so, and the toggles after it held.
  EXPECT_EQ(sent, 4u);
  EXPECT_TRUE(p->status(a, t).flapping);
  EXPECT_GE((p->suppressed()[std::pair<std::string, std::string>("chat", "flapping")]), 2u);
  // Quiet for the window: flapping ends and the real state (resolved) goes out.
  auto d = p->tick(t + 11min);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].batch[0].kind, Notification::Kind::kResolved);
}

// As kscope runs it: routed to a sink of its own, seconds apart, ticked
// after each change. Each change held while flapping is counted.
TEST(NotificationPolicy, FlappingChangesAreCountedForTheRoutedSink) {
  PolicyConfig c;
  c.notify.flapping = {3, 1min};
  c.sinks = {"chat", "flap"};
  RouteConfig flappy;
  flappy.match = {{"alertname", "F"}};
  flappy.sinks = {"flap"};
  RouteConfig rest;
  rest.sinks = {"chat"};
  c.routes = {flappy, rest};
  auto p = make(c);
  Alert a = alert("F", "x");
  std::vector<size_t> flagged;
  WallTime t = kT0;
  for (int i = 0; i < 6; ++i, t += 2s) {
    p->observe({i % 2 == 0 ? firing(a) : resolved(a)}, t);
    for (const auto& d : p->tick(t)) {
      EXPECT_EQ(d.sink, "flap");
      for (const auto& n : d.batch) {
        bool flap = std::count(n.alert.annotations.begin(), n.alert.annotations.end(),
                               std::pair<std::string, std::string>("flapping", "true"));
        if (flap) flagged.push_back(size_t(i));
      }
    }
  }
  EXPECT_EQ(flagged, std::vector<size_t>{3}) << "the fourth change is the one message marked flapping";
  EXPECT_EQ((p->suppressed()[std::pair<std::string, std::string>("flap", "flapping")]), 3u);
}

TEST(NotificationPolicy, RateLimitHoldsBackAndSummarisesInTheNextMessage) {
  PolicyConfig c;
  c.notify.rate_limits = {{"chat", 2, 60s}};
  c.sinks = {"chat"};
  auto p = make(c);
  for (int i = 0; i < 5; ++i) p->observe({firing(alert("A", "t" + std::to_string(i)))}, kT0);
  auto d = p->tick(kT0);
  ASSERT_EQ(d.size(), 2u) << "two messages per minute";
  EXPECT_EQ((p->suppressed()[std::pair<std::string, std::string>("chat", "rate_limited")]), 3u);
  EXPECT_TRUE(p->tick(kT0 + 30s).empty());
  d = p->tick(kT0 + 60s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].batch.size(), 3u) << "the three held back, in one message";
}

TEST(NotificationPolicy, RestoredStateSendsNothingNewAndKeepsSilences) {
  PolicyConfig c;
  c.sinks = {"chat"};
  auto p = make(c);
  Alert a = alert("A", "x");
  p->observe({firing(a)}, kT0);
  ASSERT_EQ(p->tick(kT0).size(), 1u);
  Silence s{"", {{"alertname", "B", false, true}}, kT0, kT0 + 1h, {}, "ana", "quiet"};
  ASSERT_TRUE(p->add_silence(s, kT0));
  ASSERT_EQ(p->ack(a.fingerprint, {"ana", "mine", kT0}), NotificationPolicy::AckResult::kAcked);
  // Through the JSON of the state file, as a restart does.
  auto text = policy_snapshot_json(p->snapshot()).dump();
  auto back = parse_policy_snapshot(nlohmann::json::parse(text));
  ASSERT_TRUE(back) << back.error().to_string();
  auto q = make(c);
  q->restore(*back, kT0 + 100s);
  EXPECT_TRUE(q->tick(kT0 + 100s).empty());
  a.fired_at = kT0 + 101s;  // the engine sees it fire again after the restart
  q->observe({firing(a)}, kT0 + 101s);
  EXPECT_TRUE(q->tick(kT0 + 101s).empty()) << "already sent before the restart";
  ASSERT_EQ(q->silences().size(), 1u);
  EXPECT_TRUE(q->status(a, kT0 + 102s).ack.has_value());
  EXPECT_FALSE(q->status(alert("B", "z"), kT0 + 102s).silenced_by.empty());
  // A restored alert the engine never reports again resolves.
  auto r = make(c);
  r->restore(*back, kT0 + 100s);
  auto d = r->tick(kT0 + 100s + NotificationPolicy::kStaleAfter);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].batch[0].kind, Notification::Kind::kResolved);
}

TEST(PolicyState, CorruptFileIsMovedAsideNotFatal) {
  char tmpl[] = "/tmp/kscope-policy-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  PolicyStateFile f(dir);
  EXPECT_TRUE(f.load().silences.empty());
  EXPECT_TRUE(f.error().empty()) << "no file is no error";
  {
    FILE* out = fopen(f.path().c_str(), "w");
    fputs("{\"version\": 1, \"silences\": [", out);
    fclose(out);
  }
  EXPECT_TRUE(f.load().silences.empty());
  EXPECT_NE(f.error().find("corrupt"), std::string::npos);
  EXPECT_NE(access(f.path().c_str(), F_OK), 0) << "moved aside";
  PolicySnapshot s;
  s.silences.push_back({"abc", {{"alertname", "A", false, true}}, kT0, kT0 + 1h, kT0, "ana", "x"});
  ASSERT_TRUE(f.save(s));
  EXPECT_EQ(f.load().silences.size(), 1u);
  std::string cmd = "rm -rf " + dir;
  EXPECT_EQ(system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace kscope
