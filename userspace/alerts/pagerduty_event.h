// PagerDuty Events API v2 (developer.pagerduty.com, "Send an Alert Event"):
// the events a pagerduty sink sends. One event per alert of a batch: a
// resolve must carry its trigger's dedup_key, and PagerDuty groups alerts
// into incidents itself (its alert grouping), so each alert keeps a key of
// its own, stable across trigger and resolve and across kscope restarts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert.h"
#include "alerts/message.h"

namespace kscope {

// "kscope-" + the rule (at most 64 bytes of it, printable ASCII) + "-" + 16
// hex digits of the FNV-1a of the rule and the sorted labels; at most 255
// characters, PagerDuty's limit.
std::string pagerduty_dedup_key(const Alert& a);

// kscope's four severities onto PagerDuty's four, by rank: info -> info,
// warning -> warning, critical -> error, emergency -> critical.
std::string_view pagerduty_severity(Severity severity);

// A trigger: {routing_key, event_action: "trigger", dedup_key, client,
// client_url, links, payload: {summary (<= 1024), source (host), severity,
// timestamp, component (target), group (host), class (rule),
// custom_details}}. A resolve: {routing_key, event_action: "resolve",
// dedup_key}. Refreshes give no event.
std::vector<std::string> pagerduty_events(const std::vector<Notification>& batch, const std::string& routing_key,
                                          const MessageLinks& links);

}  // namespace kscope
