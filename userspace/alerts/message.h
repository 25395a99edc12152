// What every message to people (email, Slack, Discord, Teams, PagerDuty)
// says about an alert, taken once from a notification: sanitized (valid
// UTF-8, no control or bidi-override characters, one line) and bounded, so
// each channel only escapes for its own format. A batch is one group of
// alerts: each channel renders it as ONE message listing them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/alert.h"

namespace kscope {

// Where a message's links point.
struct MessageLinks {
  std::string dashboard;  // the dashboard's URL, no trailing slash; "" for none
};

// One alert, as text for people. Every field is sanitized and at most
// kMaxFactBytes long (the summary kMaxSummaryBytes).
struct AlertFacts {
  bool resolved = false;
  std::string status;     // "FIRING" | "RESOLVED"
  Severity level = Severity::kInfo;
  std::string severity;   // its name: info | warning | critical | emergency
  std::string rule;
  std::string target;     // "host" for a host-wide alert
  std::string host;       // the instance label (kscope's host name)
  std::string value;      // with its unit: "120ms"
  std::string threshold;  // "100ms"
  std::string summary;
  std::string since;      // when it started firing, "2026-11-22 08:40:01 UTC"
  std::string resolved_at;  // "" while firing
  std::string alert_url;    // the alert in kscope's API
  std::string flame_graph_url;  // the on-CPU flame graph of its capture; "" if none
  std::string offcpu_url;       // the off-CPU flame graph; "" if none
  std::string capture_url;      // the capture's record; "" if none
  // The labels besides alertname, severity, instance and source.
  std::vector<std::pair<std::string, std::string>> labels;
};

inline constexpr size_t kMaxFactBytes = 256;
inline constexpr size_t kMaxSummaryBytes = 1024;

AlertFacts alert_facts(const Notification& n);

// The highest severity in the batch.
std::string batch_severity(const std::vector<Notification>& batch);

// One line naming the batch, plain text, at most max_bytes:
// "[FIRING] critical: DiskSlow on postgres (db1)", or for several
// "[FIRING:3] critical: DiskSlow on postgres, mysqld, redis (db1)",
// "[FIRING:2, RESOLVED:1] warning: 3 alerts of DiskSlow, CpuHot (db1)".
std::string batch_title(const std::vector<Notification>& batch, size_t max_bytes = 200);

// How many of the batch fire and how many resolved.
struct BatchCounts {
  size_t firing = 0;
  size_t resolved = 0;
};
BatchCounts batch_counts(const std::vector<Notification>& batch);

// text, cut to at most max_bytes on a UTF-8 character boundary, ending in
// "…" when cut. max_bytes below 4 cuts without the ellipsis.
std::string truncate_utf8(std::string_view text, size_t max_bytes);

// sanitize_utf8, then line feeds and tabs as spaces and the bidirectional
// overrides (U+202A-U+202E, U+2066-U+2069) as U+FFFD, so a process name can
// neither break a line nor reverse the text around it.
std::string one_line(std::string_view text);

// Markdown (Discord, Teams): every character markdown gives a meaning
// (\ * _ ~ ` | > < [ ] ( ) # - + ! . :) behind a backslash, so a label can
// make no link, heading, mention or code block.
std::string markdown_escape(std::string_view text);

// "2026-11-22 08:40:01 UTC"; "" for the zero time.
std::string human_time(WallTime t);

}  // namespace kscope
