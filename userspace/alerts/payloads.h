// What each sink sends: Alertmanager's v2 API body, the generic webhook
// JSON, a Slack-compatible message, and the log line. Every string from a
// watched process is sanitized; JSON escaping is nlohmann's.
#pragma once

#include <string>
#include <vector>

#include "alerts/alert.h"
#include "common/duration.h"

namespace kscope {

// POST /api/v2/alerts body: [{labels, annotations, startsAt, endsAt,
// generatorURL}]. A firing alert's endsAt is now + 4 x resend_interval, so
// Alertmanager keeps it while kscope is alive and refreshing it, and resolves
// it by itself if kscope dies.
std::string alertmanager_payload(const std::vector<Notification>& batch, WallTime now, Nanos resend_interval);

// {"receiver", "status", "source": "kscope", "alerts": [{status, labels,
// annotations, startsAt, endsAt, generatorURL, fingerprint, rule, target,
// value, threshold}]}
std::string webhook_payload(const std::vector<Notification>& batch, const std::string& receiver);

// {"text": "[FIRING] rule on target: summary"} (Slack incoming webhooks).
std::string slack_payload(const std::vector<Notification>& batch);

// One line: "alert=X state=firing severity=... target=... value=... summary=...".
std::string log_line(const Notification& n);

// A fingerprint as 16 hex digits.
std::string fmt_fingerprint(uint64_t fp);

// "2026-11-22T08:40:01.123Z"; the zero time is "0001-01-01T00:00:00Z".
std::string rfc3339(WallTime t);

}  // namespace kscope
