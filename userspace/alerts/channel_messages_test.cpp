// The messages of the channels to people: a batch of several alerts is one
// message listing them, hostile label values come out escaped and bounded,
// and each service's limits hold.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alerts/chat_messages.h"
#include "alerts/email_message.h"
#include "alerts/message.h"
#include "alerts/pagerduty_event.h"

namespace kscope {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// What a process may name itself (comm is 16 bytes, but cgroup paths and
// rule labels are longer): mentions, markup, a bidi override, a line break,
// invalid UTF-8.
const std::string kHostile = "<!channel> @everyone [x](javascript:alert(1)) *b* \xE2\x80\xAE" "evil\nSubject: hi\xff";

Notification alert(const std::string& target, Notification::Kind kind = Notification::Kind::kFiring,
                   const std::string& severity = "critical") {
  Notification n;
  n.kind = kind;
  n.alert.rule = "DiskSlow";
  n.alert.severity = *parse_severity(severity);
  n.alert.target = target;
  n.alert.labels = {{"alertname", "DiskSlow"}, {"comm", target}, {"instance", "db1"}, {"severity", severity},
                    {"source", "kscope"}};
  n.alert.annotations = {{"capture", "http://k:9494/api/v1/captures/c1"},
                         {"capture_cpu", "http://k:9494/api/v1/captures/c1/cpu.svg"},
                         {"capture_offcpu", "http://k:9494/api/v1/captures/c1/offcpu.svg"},
                         {"summary", "p99 of " + target + " is 120ms"},
                         {"threshold", "100ms"},
                         {"value", "120ms"}};
  n.alert.fired_at = std::chrono::system_clock::from_time_t(1800000000);
  if (kind == Notification::Kind::kResolved) n.alert.resolved_at = n.alert.fired_at + std::chrono::minutes(5);
  n.alert.generator_url = "http://k:9494/api/v1/alerts?rule=DiskSlow";
  n.alert.fingerprint = label_fingerprint(n.alert.labels);
  return n;
}

std::vector<Notification> ten() {
  std::vector<Notification> b;
  for (int i = 0; i < 10; ++i) b.push_back(alert("proc" + std::to_string(i)));
  return b;
}

const MessageLinks kLinks{"http://k:9494"};

// True when s is valid UTF-8 with no C0 control characters but \n.
bool clean(const std::string& s) { return s.find('\r') == std::string::npos && s.find('\xff') == std::string::npos; }

TEST(Message, TitleOfOneAndOfSeveral) {
  EXPECT_EQ(batch_title({alert("postgres")}), "[FIRING] critical: DiskSlow on postgres (db1)");
  EXPECT_EQ(batch_title({alert("postgres", Notification::Kind::kResolved)}), "[RESOLVED] critical: DiskSlow on postgres (db1)");
  auto b = ten();
  b[3].kind = Notification::Kind::kResolved;
  b[4].alert.severity = Severity::kEmergency;
  std::string t = batch_title(b);
  EXPECT_THAT(t, HasSubstr("[FIRING:9, RESOLVED:1] emergency: DiskSlow on proc0, proc1, proc2"));
  EXPECT_TRUE(t.ends_with(" (db1)")) << t;
  // Cut, the host stays.
  std::string cut = batch_title(b, 60);
  EXPECT_LE(cut.size(), 60u);
  EXPECT_TRUE(cut.ends_with("\xE2\x80\xA6 (db1)")) << cut;
}

TEST(Message, FactsAreOneLineAndBounded) {
  AlertFacts f = alert_facts(alert(kHostile + std::string(600, 'x')));
  EXPECT_EQ(f.target.find('\n'), std::string::npos);
  EXPECT_EQ(f.target.find("\xE2\x80\xAE"), std::string::npos) << "bidi override kept";
  EXPECT_LE(f.target.size(), kMaxFactBytes);
  EXPECT_TRUE(clean(f.target));
  EXPECT_EQ(f.flame_graph_url, "http://k:9494/api/v1/captures/c1/cpu.svg");
  // instance, alertname, severity and source are shown as fields, not labels.
  ASSERT_EQ(f.labels.size(), 1u);
  EXPECT_EQ(f.labels[0].first, "comm");
  // Only http(s) links without quotes or spaces pass.
  Notification n = alert("p");
  n.alert.annotations[1].second = "javascript:alert(1)";
  n.alert.generator_url = "http://k/\"><script>";
  EXPECT_EQ(alert_facts(n).flame_graph_url, "");
  EXPECT_EQ(alert_facts(n).alert_url, "");
}

TEST(Message, TruncateKeepsWholeCharacters) {
  std::string s = "ab\xC3\xA9\xC3\xA9\xC3\xA9";  // ab + 3 x é
  EXPECT_EQ(truncate_utf8(s, 100), s);
  EXPECT_EQ(truncate_utf8(s, 7), "ab\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(truncate_utf8(s, 6), "ab\xE2\x80\xA6");
}

TEST(EmailMessage, HeadersAndBody) {
  EmailHeaders h{"kscope alerts <alerts@example.com>", {"a@example.com", "b@example.com"},
                 std::chrono::system_clock::from_time_t(1800000000), "example.com", "42"};
  std::string m = email_message({alert("postgres")}, kLinks, h);
  EXPECT_THAT(m, HasSubstr("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"));
  EXPECT_THAT(m, HasSubstr("From: kscope alerts <alerts@example.com>\r\n"));
  EXPECT_THAT(m, HasSubstr("To: a@example.com,\r\n b@example.com\r\n"));
  EXPECT_THAT(m, HasSubstr("Subject: [FIRING] critical: DiskSlow on postgres (db1)\r\n"));
  EXPECT_THAT(m, HasSubstr("Message-ID: <kscope.42@example.com>\r\n"));
  EXPECT_THAT(m, HasSubstr("Content-Transfer-Encoding: quoted-printable\r\n"));
  EXPECT_THAT(m, HasSubstr("X-Kscope-Severity: critical\r\n\r\n[FIRING] critical: DiskSlow on postgres (db1)\r\n"));
  // Every line ends in CRLF and is at most 78 characters.
  size_t start = 0;
  for (size_t at = m.find('\n'); at != std::string::npos; start = at + 1, at = m.find('\n', start)) {
    ASSERT_GT(at, start);
    EXPECT_EQ(m[at - 1], '\r') << m.substr(start, at - start);
    EXPECT_LE(at - start, 78u);
  }
  std::string body = email_body({alert("postgres")}, kLinks);
  EXPECT_THAT(body, HasSubstr("Value:       120ms (threshold 100ms)\n"));
  EXPECT_THAT(body, HasSubstr("Since:       2027-01-15 08:00:00 UTC\n"));
  EXPECT_THAT(body, HasSubstr("Host:        db1\n"));
  EXPECT_THAT(body, HasSubstr("Flame graph: http://k:9494/api/v1/captures/c1/cpu.svg\n"));
  EXPECT_THAT(body, HasSubstr("Dashboard: http://k:9494/\n"));
}

TEST(EmailMessage, BatchOfTenIsOneMessageListingTen) {
  std::string body = email_body(ten(), kLinks);
  for (int i = 0; i < 10; ++i) EXPECT_THAT(body, HasSubstr("DiskSlow on proc" + std::to_string(i) + "\n"));
  EmailHeaders h{"alerts@example.com", {"a@example.com"}, {}, "example.com", "1"};
  EXPECT_THAT(email_message(ten(), kLinks, h), HasSubstr("Subject: [FIRING:10] critical: DiskSlow on proc0, proc1"));
}

TEST(EmailMessage, HostileTargetCannotInjectHeaders) {
  EmailHeaders h{"alerts@example.com", {"a@example.com"}, {}, "example.com", "1"};
  std::string m = email_message({alert(kHostile)}, kLinks, h);
  std::string head = m.substr(0, m.find("\r\n\r\n"));
  // The line break in the name does not start a header of its own.
  EXPECT_THAT(head, Not(HasSubstr("\r\nSubject: hi")));
  EXPECT_EQ(std::count(head.begin(), head.end(), '\n'), std::count(head.begin(), head.end(), '\r'));
  // Non-ASCII subject: encoded words.
  EXPECT_THAT(head, HasSubstr("Subject: =?UTF-8?B?"));
  for (unsigned char c : m) EXPECT_LT(c, 0x80) << "8-bit byte in a 7-bit message";
}

TEST(EmailMessage, EncodingsDecode) {
  EXPECT_EQ(encode_header_value("plain", 9), "plain");
  // "é" x 30 = 60 bytes: two words, split between characters.
  std::string e;
  for (int i = 0; i < 30; ++i) e += "\xC3\xA9";
  std::string enc = encode_header_value(e, 9);
  // 38 bytes (19 characters) beside "Subject: ", the other 11 on the next line.
  EXPECT_EQ(enc, "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqQ==?=");
  EXPECT_LE(9 + enc.find('\r'), 76u);
  EXPECT_EQ(quoted_printable("a=b \nx\xC3\xA9 \n.dot\n"), "a=3Db=20\r\nx=C3=A9=20\r\n=2Edot\r\n");
  std::string longline = quoted_printable(std::string(200, 'a'));
  EXPECT_EQ(longline.substr(0, 78), std::string(75, 'a') + "=\r\n");
}

TEST(SlackMessage, BlocksForABatch) {
  auto j = nlohmann::json::parse(slack_message(ten(), kLinks));
  EXPECT_EQ(j["text"], "[FIRING:10] critical: DiskSlow on proc0, proc1, proc2, proc3, proc4, proc5, proc6, proc7, proc8, proc9 (db1)");
  const auto& blocks = j["blocks"];
  EXPECT_EQ(blocks[0]["type"], "header");
  EXPECT_EQ(blocks[0]["text"]["type"], "plain_text");
  EXPECT_LE(blocks[0]["text"]["text"].get<std::string>().size(), 150u);
  int sections = 0;
  for (const auto& b : blocks) sections += b["type"] == "section";
  EXPECT_EQ(sections, 10);
  EXPECT_EQ(blocks[1]["fields"][0]["text"], "*Value*\n120ms (threshold 100ms)");
  EXPECT_EQ(blocks[2]["elements"][0]["text"],
            "<http://k:9494/api/v1/alerts?rule=DiskSlow|Alert> · <http://k:9494/api/v1/captures/c1/cpu.svg|Flame graph> · "
            "<http://k:9494/api/v1/captures/c1/offcpu.svg|Off-CPU flame graph> · <http://k:9494/api/v1/captures/c1|Capture>");
  EXPECT_EQ(blocks.back()["type"], "actions");
  EXPECT_EQ(blocks.back()["elements"][0]["url"], "http://k:9494/");
}

TEST(SlackMessage, HostileAndHugeBatches) {
  auto j = nlohmann::json::parse(slack_message({alert(kHostile)}, kLinks));
  std::string section = j["blocks"][1]["text"]["text"];
  EXPECT_THAT(section, HasSubstr("&lt;!channel&gt;"));
  EXPECT_THAT(section, Not(HasSubstr("<!channel>")));
  std::vector<Notification> many;
  for (int i = 0; i < 100; ++i) many.push_back(alert("p" + std::to_string(i)));
  auto big = nlohmann::json::parse(slack_message(many, kLinks));
  EXPECT_LE(big["blocks"].size(), 50u);
  bool more = false;
  for (const auto& b : big["blocks"]) {
    if (b["type"] == "context" && b["elements"][0]["text"] == "…and 80 more") more = true;
  }
  EXPECT_TRUE(more);
}

TEST(DiscordMessage, EmbedsWithinLimits) {
  auto j = nlohmann::json::parse(discord_message(ten(), kLinks));
  EXPECT_EQ(j["allowed_mentions"]["parse"], nlohmann::json::array());
  EXPECT_LE(j["content"].get<std::string>().size(), 2000u);
  // 10 alerts fit the 10 embeds; 11 are nine and "…and 2 more".
  ASSERT_EQ(j["embeds"].size(), 10u);
  EXPECT_EQ(j["embeds"][9]["title"], "\\[FIRING\\] critical\\: DiskSlow on proc9");
  auto eleven = ten();
  eleven.push_back(alert("proc10"));
  auto j11 = nlohmann::json::parse(discord_message(eleven, kLinks));
  ASSERT_EQ(j11["embeds"].size(), 10u);
  EXPECT_EQ(j11["embeds"][9]["description"], "…and 2 more");
  const auto& e = j["embeds"][0];
  EXPECT_EQ(e["title"], "\\[FIRING\\] critical\\: DiskSlow on proc0");
  EXPECT_EQ(e["url"], "http://k:9494/api/v1/alerts?rule=DiskSlow");
  EXPECT_EQ(e["color"], 0xE01E5A);
  EXPECT_EQ(e["timestamp"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(e["fields"][0]["name"], "Value");
  EXPECT_EQ(e["fields"][0]["value"], "120ms \\(threshold 100ms\\)");
  // 6000 characters over all embeds, even with long summaries.
  std::vector<Notification> big;
  for (int i = 0; i < 10; ++i) {
    big.push_back(alert("p" + std::to_string(i)));
    big.back().alert.annotations[3].second = std::string(3000, 'x');
  }
  auto b = nlohmann::json::parse(discord_message(big, kLinks));
  size_t chars = 0;
  for (const auto& em : b["embeds"]) {
    chars += em.value("title", std::string()).size() + em.value("description", std::string()).size();
    for (const auto& f : em.value("fields", nlohmann::json::array())) chars += f["name"].get<std::string>().size() + f["value"].get<std::string>().size();
  }
  EXPECT_LE(chars, kDiscordMaxEmbedChars);
  EXPECT_THAT(b["embeds"].back()["description"].get<std::string>(), HasSubstr("more"));
}

TEST(DiscordMessage, HostileTargetIsInert) {
  auto j = nlohmann::json::parse(discord_message({alert(kHostile)}, kLinks));
  std::string title = j["embeds"][0]["title"];
  EXPECT_THAT(title, HasSubstr("\\[x\\]\\(javascript\\:alert\\(1\\)\\)"));
  EXPECT_THAT(title, HasSubstr("\\@everyone"));
  EXPECT_EQ(title.find('\n'), std::string::npos);
}

TEST(TeamsMessage, AdaptiveCard) {
  auto j = nlohmann::json::parse(teams_message(ten(), kLinks));
  EXPECT_EQ(j["type"], "message");
  const auto& att = j["attachments"][0];
  EXPECT_EQ(att["contentType"], "application/vnd.microsoft.card.adaptive");
  const auto& card = att["content"];
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["version"], "1.4");
  int factsets = 0;
  for (const auto& b : card["body"]) factsets += b["type"] == "FactSet";
  EXPECT_EQ(factsets, 10);
  EXPECT_EQ(card["body"][3]["facts"][0]["title"], "Value");
  EXPECT_EQ(card["actions"].back()["type"], "Action.OpenUrl");
  EXPECT_EQ(card["actions"].back()["url"], "http://k:9494/");
  auto h = nlohmann::json::parse(teams_message({alert(kHostile)}, kLinks));
  EXPECT_THAT(h["attachments"][0]["content"]["body"][1]["text"].get<std::string>(), HasSubstr("\\[x\\]\\(javascript"));
}

TEST(PagerDutyEvent, TriggerAndResolveShareTheKey) {
  auto trig = pagerduty_events({alert("postgres")}, "R0UTING", kLinks);
  auto res = pagerduty_events({alert("postgres", Notification::Kind::kResolved)}, "R0UTING", kLinks);
  ASSERT_EQ(trig.size(), 1u);
  ASSERT_EQ(res.size(), 1u);
  auto t = nlohmann::json::parse(trig[0]), r = nlohmann::json::parse(res[0]);
  EXPECT_EQ(t["routing_key"], "R0UTING");
  EXPECT_EQ(t["event_action"], "trigger");
  EXPECT_EQ(r["event_action"], "resolve");
  EXPECT_EQ(t["dedup_key"], r["dedup_key"]);
  EXPECT_THAT(t["dedup_key"].get<std::string>(), testing::StartsWith("kscope-DiskSlow-"));
  EXPECT_EQ(t["payload"]["severity"], "error");
  EXPECT_EQ(t["payload"]["source"], "db1");
  EXPECT_EQ(t["payload"]["component"], "postgres");
  EXPECT_EQ(t["payload"]["summary"], "critical: p99 of postgres is 120ms");
  EXPECT_EQ(t["payload"]["custom_details"]["value"], "120ms");
  EXPECT_EQ(t["payload"]["custom_details"]["threshold"], "100ms");
  EXPECT_EQ(t["links"][1]["href"], "http://k:9494/api/v1/captures/c1/cpu.svg");
  EXPECT_FALSE(r.contains("payload"));
  // Another target, another key.
  EXPECT_NE(nlohmann::json::parse(pagerduty_events({alert("mysqld")}, "R", kLinks)[0])["dedup_key"], t["dedup_key"]);
}

TEST(PagerDutyEvent, SeveritiesAndBatches) {
  EXPECT_EQ(pagerduty_severity(Severity::kInfo), "info");
  EXPECT_EQ(pagerduty_severity(Severity::kWarning), "warning");
  EXPECT_EQ(pagerduty_severity(Severity::kCritical), "error");
  EXPECT_EQ(pagerduty_severity(Severity::kEmergency), "critical");
  EXPECT_EQ(pagerduty_events(ten(), "R", kLinks).size(), 10u);
  Notification refresh = alert("p", Notification::Kind::kRefresh);
  EXPECT_TRUE(pagerduty_events({refresh}, "R", kLinks).empty());
  auto h = nlohmann::json::parse(pagerduty_events({alert(kHostile + std::string(2000, 'y'))}, "R", kLinks)[0]);
  EXPECT_LE(h["payload"]["summary"].get<std::string>().size(), 1024u);
  EXPECT_LE(h["dedup_key"].get<std::string>().size(), 255u);
}

}  // namespace
}  // namespace kscope
