#include "alerts/silence.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

const WallTime kNow = WallTime(std::chrono::seconds(1'790'000'000));  // 2026-09-21

nlohmann::json body(nlohmann::json matchers) {
  return {{"matchers", matchers}, {"startsAt", "2027-01-15T08:00:00Z"}, {"endsAt", "2027-01-15T10:00:00+01:00"},
          {"createdBy", "ana"}, {"comment", "disk swap"}};
}

TEST(Silence, ParsesAlertmanagersShapeAndMatches) {
  auto s = parse_silence(body({{{"name", "alertname"}, {"value", "Disk.*"}, {"isRegex", true}},
                               {{"name", "comm"}, {"value", "db"}, {"isRegex", false}, {"isEqual", false}}}),
                         kNow);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->ends_at - s->starts_at, std::chrono::hours(1));
  auto c = CompiledSilence::compile(*s);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->matches({{"alertname", "DiskFull"}, {"comm", "web"}}));
  EXPECT_FALSE(c->matches({{"alertname", "DiskFull"}, {"comm", "db"}}));
  EXPECT_FALSE(c->matches({{"alertname", "Latency"}}));
  auto j = silence_json(*s, kNow);
  EXPECT_EQ(j["status"]["state"], "pending");
  EXPECT_EQ(j["matchers"][1]["isEqual"], false);
  EXPECT_EQ(j["endsAt"], "2027-01-15T09:00:00.000Z");
}

TEST(Silence, ValidationErrorsSayWhatIsWrong) {
  auto err = [](nlohmann::json b) {
    auto s = parse_silence(b, kNow);
    return s ? std::string() : s.error().message();
  };
  EXPECT_NE(err(body(nlohmann::json::array())).find("matchers"), std::string::npos);
  EXPECT_NE(err(body({{{"name", "comm"}, {"value", ".*"}, {"isRegex", true}}})).find("empty string"), std::string::npos);
  EXPECT_NE(err(body({{{"name", "1x"}, {"value", "a"}}})).find("label name"), std::string::npos);
  EXPECT_NE(err(body({{{"name", "a"}, {"value", "(("}, {"isRegex", true}}})).find("invalid regex"), std::string::npos);
  auto b = body({{{"name", "a"}, {"value", "b"}}});
  b["endsAt"] = "yesterday";
  EXPECT_NE(err(b).find("RFC 3339"), std::string::npos);
  b["endsAt"] = "2020-01-01T00:00:00Z";
  b["startsAt"] = "2019-01-01T00:00:00Z";
  EXPECT_NE(err(b).find("past"), std::string::npos);
  b.erase("createdBy");
  EXPECT_NE(err(b).find("createdBy"), std::string::npos);
  EXPECT_NE(err(nlohmann::json::array()).find("object"), std::string::npos);
}

TEST(Silence, Rfc3339) {
  WallTime t;
  ASSERT_TRUE(parse_rfc3339("1970-01-02T00:00:01.5Z", t));
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(), 86401500);
  ASSERT_TRUE(parse_rfc3339("1970-01-01T02:00:00+02:00", t));
  EXPECT_EQ(t.time_since_epoch().count(), 0);
  EXPECT_FALSE(parse_rfc3339("1970-01-01T02:00:00", t));
  EXPECT_FALSE(parse_rfc3339("1970-13-01T02:00:00Z", t));
  EXPECT_FALSE(parse_rfc3339("1970-01-01T02:00:00Zjunk", t));
  EXPECT_FALSE(parse_rfc3339("4054-01-01T00:00:00Z", t)) << "past what system_clock holds";
}

}  // namespace
}  // namespace kscope
