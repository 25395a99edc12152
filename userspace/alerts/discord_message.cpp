// Discord's webhook message with embeds (see chat_messages.h).
#include <nlohmann/json.hpp>

#include "alerts/chat_messages.h"
#include "alerts/payloads.h"

namespace kscope {
namespace {

// Embed colours: resolved green, else by severity.
int colour(const AlertFacts& f) {
  if (f.resolved) return 0x2EB67D;
  switch (f.level) {
    case Severity::kInfo: return 0x36C5F0;
    case Severity::kWarning: return 0xECB22E;
    case Severity::kCritical: return 0xE01E5A;
    case Severity::kEmergency: return 0x8B0000;
  }
  return 0x36C5F0;
}

// Markdown-escaped and cut to `max` bytes (Discord counts characters: a
// byte bound is never over it).
std::string md(const std::string& s, size_t max) { return truncate_utf8(markdown_escape(s), max); }

}  // namespace

std::string discord_message(const std::vector<Notification>& batch, const MessageLinks& links) {
  nlohmann::json embeds = nlohmann::json::array();
  size_t chars = 0;  // over every embed's title, description, field names and values, footer
  size_t shown = 0;
  for (const auto& n : batch) {
    // The last embed slot is kept for "…and N more" when more follow.
    if (embeds.size() + 1 == kDiscordMaxEmbeds && batch.size() - shown > 1) break;
    AlertFacts f = alert_facts(n);
    nlohmann::json e;
    std::string title = md("[" + f.status + "] " + f.severity + ": " + f.rule + " on " + f.target, 256);
    std::string desc = md(f.summary, 1024);
    nlohmann::json fields = nlohmann::json::array();
    size_t size = title.size() + desc.size() + 6;  // + footer "kscope"
    auto field = [&](const char* name, const std::string& v, bool inline_field, bool escape = true) {
      if (v.empty()) return;
      std::string value = escape ? md(v, 1024) : truncate_utf8(v, 1024);
      fields.push_back({{"name", name}, {"value", value}, {"inline", inline_field}});
      size += std::string_view(name).size() + value.size();
    };
    field("Value", f.value + (f.threshold.empty() ? "" : " (threshold " + f.threshold + ")"), true);
    // Times are kscope's own text: nothing to escape.
    field("Since", f.since, true, false);
    if (f.resolved) field("Resolved", f.resolved_at, true, false);
    field("Host", f.host, true);
    std::string labels;
    for (const auto& [k, v] : f.labels) labels += (labels.empty() ? "" : ", ") + k + "=" + v;
    field("Labels", labels, false);
    // Masked links: URLs checked by alert_facts, names ours.
    std::string refs;
    auto ref = [&](const std::string& url, const char* label) {
      if (!url.empty()) refs += (refs.empty() ? "" : " · ") + ("[" + std::string(label) + "](" + url + ")");
    };
    ref(f.flame_graph_url, "flame graph");
    ref(f.offcpu_url, "off-CPU");
    ref(f.capture_url, "capture");
    if (!links.dashboard.empty()) ref(links.dashboard + "/", "dashboard");
    if (refs.size() <= 1024) field("Links", refs, false, false);
    if (chars + size > kDiscordMaxEmbedChars - 64) break;  // room for the "more" embed
    chars += size;
    e["title"] = title;
    if (!f.alert_url.empty()) e["url"] = f.alert_url;
    if (!desc.empty()) e["description"] = desc;
    e["color"] = colour(f);
    e["fields"] = fields;
    if (n.alert.fired_at != WallTime{}) e["timestamp"] = rfc3339(n.alert.fired_at);
    e["footer"] = {{"text", "kscope"}};
    embeds.push_back(e);
    ++shown;
  }
  if (shown < batch.size()) {
    embeds.push_back({{"description", "…and " + std::to_string(batch.size() - shown) + " more"}});
  }
  nlohmann::json doc = {{"username", "kscope"},
                        {"content", md(batch_title(batch, 1900), 2000)},
                        // No @everyone, role or user pings from text a process chose.
                        {"allowed_mentions", {{"parse", nlohmann::json::array()}}},
                        {"embeds", embeds}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kscope
