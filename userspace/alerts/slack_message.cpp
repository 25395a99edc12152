// Slack's Block Kit message (see chat_messages.h).
#include <nlohmann/json.hpp>

#include "alerts/chat_messages.h"

namespace kscope {
namespace {

// mrkdwn: only & < > have a meaning that escaping must take away (links,
// @channel mentions are <...>).
std::string mrkdwn(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

nlohmann::json text(const std::string& type, const std::string& s) { return {{"type", type}, {"text", s}}; }

}  // namespace

std::string slack_message(const std::vector<Notification>& batch, const MessageLinks& links) {
  const std::string title = batch_title(batch, 150);  // header blocks take 150 characters
  nlohmann::json blocks = nlohmann::json::array();
  blocks.push_back({{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", title}, {"emoji", false}}}});
  size_t shown = 0;
  for (const auto& n : batch) {
    if (shown == kSlackMaxAlerts) break;
    ++shown;
    AlertFacts f = alert_facts(n);
    std::string head = "*[" + f.status + "] " + mrkdwn(f.severity) + ": " + mrkdwn(f.rule) + " on " + mrkdwn(f.target) + "*";
    if (!f.summary.empty()) head += "\n" + mrkdwn(f.summary);
    nlohmann::json fields = nlohmann::json::array();
    auto field = [&](const char* name, const std::string& v) {
      if (!v.empty()) fields.push_back(text("mrkdwn", std::string("*") + name + "*\n" + mrkdwn(v)));
    };
    field("Value", f.value + (f.threshold.empty() ? "" : " (threshold " + f.threshold + ")"));
    field("Since", f.since);
    if (f.resolved) field("Resolved", f.resolved_at);
    field("Host", f.host);
    std::string labels;
    for (const auto& [k, v] : f.labels) labels += (labels.empty() ? "" : ", ") + k + "=" + v;
    field("Labels", truncate_utf8(labels, 1500));
    nlohmann::json section = {{"type", "section"}, {"text", text("mrkdwn", truncate_utf8(head, 3000))}};
    if (!fields.empty()) section["fields"] = fields;
    blocks.push_back(section);
    std::string refs;
    // Links: URLs checked by alert_facts (http(s), no spaces, | < > quotes).
    auto ref = [&](const std::string& url, const char* label) {
      if (!url.empty()) refs += (refs.empty() ? "" : " · ") + ("<" + url + "|" + label + ">");
    };
    ref(f.alert_url, "Alert");
    ref(f.flame_graph_url, "Flame graph");
    ref(f.offcpu_url, "Off-CPU flame graph");
    ref(f.capture_url, "Capture");
    if (!refs.empty()) blocks.push_back({{"type", "context"}, {"elements", {text("mrkdwn", refs)}}});
  }
  if (shown < batch.size()) {
    blocks.push_back({{"type", "context"},
                      {"elements", {text("mrkdwn", "…and " + std::to_string(batch.size() - shown) + " more")}}});
  }
  if (!links.dashboard.empty()) {
    blocks.push_back({{"type", "actions"},
                      {"elements",
                       {{{"type", "button"},
                         {"text", {{"type", "plain_text"}, {"text", "Dashboard"}}},
                         {"url", links.dashboard + "/"}}}}});
  }
  nlohmann::json doc = {{"text", mrkdwn(title)}, {"blocks", blocks}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kscope
