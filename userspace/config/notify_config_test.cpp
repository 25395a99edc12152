#include "config/notify_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace kscope {
namespace {

using ::testing::HasSubstr;

TEST(NotifyConfig, RoutesGroupingMaintenanceParse) {
  auto cfg = parse_config(R"(
alerts:
  state_dir: /tmp/kscope-state
  sinks:
    - {name: chat, type: webhook, url: "http://127.0.0.1:8080/chat"}
    - {name: pager, type: webhook, url: "http://127.0.0.1:8080/pager"}
  notify:
    group_by: [alertname]
    group_wait: 30s
    group_interval: 5m
    repeat_interval: 4h
    rate_limits: [{sink: chat, messages: 10, period: 1m}]
    flapping: {transitions: 4, window: 15m}
  routes:
    - {min_severity: critical, sinks: [pager], continue: true, escalate_after: 15m, escalate_to: [chat]}
    - {match: {comm: "=~web.*"}, sinks: [chat], group_by: [], repeat_interval: 1h}
  maintenance:
    - {name: backups, match: {alertname: "=~Disk.*"}, weekdays: [sat, Sunday], start: "23:00", end: "02:00",
       time_zone: Europe/Berlin}
)", "k.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  const auto& a = cfg->alerts;
  EXPECT_EQ(a.state_dir, "/tmp/kscope-state");
  EXPECT_EQ(a.notify.grouping.group_by, std::vector<std::string>{"alertname"});
  EXPECT_EQ(a.notify.grouping.repeat_interval, std::chrono::hours(4));
  ASSERT_EQ(a.notify.rate_limits.size(), 1u);
  EXPECT_EQ(a.notify.rate_limits[0].messages, 10u);
  EXPECT_EQ(a.notify.flapping.transitions, 4u);
  ASSERT_EQ(a.routes.size(), 2u);
  EXPECT_EQ(a.routes[0].min_severity, Severity::kCritical);
  EXPECT_TRUE(a.routes[0].continue_matching);
  EXPECT_EQ(a.routes[0].escalate_to, std::vector<std::string>{"chat"});
  ASSERT_TRUE(a.routes[1].group_by.has_value());
  EXPECT_TRUE(a.routes[1].group_by->empty());
  EXPECT_EQ(*a.routes[1].repeat_interval, std::chrono::hours(1));
  ASSERT_EQ(a.maintenance.size(), 1u);
  EXPECT_EQ(a.maintenance[0].weekdays, (std::vector<int>{6, 0}));
  EXPECT_EQ(a.maintenance[0].start_minute, 23 * 60);
  EXPECT_EQ(a.maintenance[0].end_minute, 2 * 60);
}

TEST(NotifyConfig, ErrorsHaveLinesAndSayWhatIsWrong) {
  auto cfg = parse_config(R"(alerts:
  sinks:
    - {name: chat, type: webhook, url: "http://127.0.0.1:8080/chat"}
  routes:
    - {sinks: [pagr], min_severity: loud, match: {comm: "=~(("}}
    - {escalate_after: 5m}
  notify:
    rate_limits: [{sink: chat, messages: 0, period: 1m}]
  maintenance:
    - {name: m, start: "25:00", end: "3am", weekdays: [someday], time_zone: Mars/Base}
)", "k.yaml");
  ASSERT_FALSE(cfg);
  const std::string e = cfg.error().to_string();
  EXPECT_THAT(e, HasSubstr("k.yaml:5:"));
  EXPECT_THAT(e, HasSubstr("no sink named 'pagr' (sinks: chat)"));
  EXPECT_THAT(e, HasSubstr("min_severity"));
  EXPECT_THAT(e, HasSubstr("invalid regex"));
  EXPECT_THAT(e, HasSubstr("escalate_after needs the sinks"));
  EXPECT_THAT(e, HasSubstr("messages"));
  EXPECT_THAT(e, HasSubstr("expected a local time like \"01:00\", got '25:00'"));
  EXPECT_THAT(e, HasSubstr("someday"));
  EXPECT_THAT(e, HasSubstr("unknown time zone 'Mars/Base'"));
}

}  // namespace
}  // namespace kscope
