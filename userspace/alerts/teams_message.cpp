// Microsoft Teams' incoming-webhook message with an Adaptive Card (see
// chat_messages.h).
#include <nlohmann/json.hpp>

#include "alerts/chat_messages.h"

namespace kscope {
namespace {

nlohmann::json text_block(const std::string& text, bool bold = false) {
  nlohmann::json b = {{"type", "TextBlock"}, {"text", text}, {"wrap", true}};
  if (bold) b["weight"] = "Bolder";
  return b;
}

}  // namespace

std::string teams_message(const std::vector<Notification>& batch, const MessageLinks& links) {
  BatchCounts counts = batch_counts(batch);
  nlohmann::json body = nlohmann::json::array();
  nlohmann::json title = text_block(markdown_escape(batch_title(batch, 300)), true);
  title["size"] = "Medium";
  title["color"] = counts.firing ? "Attention" : "Good";
  body.push_back(title);
  nlohmann::json actions = nlohmann::json::array();
  size_t shown = 0;
  size_t bytes = 0;  // of the alerts' JSON so far
  for (const auto& n : batch) {
    if (shown == kTeamsMaxAlerts || bytes > kTeamsMaxBytes) break;
    ++shown;
    AlertFacts f = alert_facts(n);
    nlohmann::json head = text_block(markdown_escape("[" + f.status + "] " + f.severity + ": " + f.rule + " on " + f.target), true);
    head["separator"] = true;
    body.push_back(head);
    body.push_back(text_block(markdown_escape(f.summary)));
    nlohmann::json facts = nlohmann::json::array();
    auto fact = [&](const char* name, const std::string& v, bool escape = true) {
      if (!v.empty()) facts.push_back({{"title", name}, {"value", escape ? markdown_escape(v) : v}});
    };
    fact("Value", f.value + (f.threshold.empty() ? "" : " (threshold " + f.threshold + ")"));
    // Times are kscope's own text: nothing to escape.
    fact("Since", f.since, false);
    if (f.resolved) fact("Resolved", f.resolved_at, false);
    fact("Host", f.host);
    std::string labels;
    for (const auto& [k, v] : f.labels) labels += (labels.empty() ? "" : ", ") + k + "=" + v;
    fact("Labels", truncate_utf8(labels, 1024));
    // Links: URLs checked by alert_facts, link text ours.
    auto link = [&](const char* name, const std::string& url) {
      if (!url.empty()) facts.push_back({{"title", name}, {"value", "[open](" + url + ")"}});
    };
    link("Alert", f.alert_url);
    link("Flame graph", f.flame_graph_url);
    link("Off-CPU", f.offcpu_url);
    body.push_back({{"type", "FactSet"}, {"facts", facts}});
    for (size_t i = body.size() - 3; i < body.size(); ++i) bytes += body[i].dump().size();
    // Buttons for the first alert's flame graph; the others' are in their facts.
    if (actions.empty() && !f.flame_graph_url.empty()) {
      actions.push_back({{"type", "Action.OpenUrl"}, {"title", "Flame graph"}, {"url", f.flame_graph_url}});
    }
  }
  if (shown < batch.size()) body.push_back(text_block("…and " + std::to_string(batch.size() - shown) + " more"));
  if (!links.dashboard.empty()) {
    actions.push_back({{"type", "Action.OpenUrl"}, {"title", "Dashboard"}, {"url", links.dashboard + "/"}});
  }
  nlohmann::json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                         {"type", "AdaptiveCard"},
                         {"version", "1.4"},
                         {"msteams", {{"width", "Full"}}},
                         {"body", body}};
  if (!actions.empty()) card["actions"] = actions;
  nlohmann::json doc = {{"type", "message"},
                        {"attachments",
                         {{{"contentType", "application/vnd.microsoft.card.adaptive"},
                           {"contentUrl", nullptr},
                           {"content", card}}}}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kscope
