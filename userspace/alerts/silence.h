// Silences in Alertmanager's v2 shape, so people and scripts that know
// amtool's model feel at home:
//
// {"id": "…", "matchers": [{"name": "alertname", "value": "DiskFull",
//   "isRegex": false, "isEqual": true}], "startsAt": "2026-…Z",
//  "endsAt": "2026-…Z", "createdBy": "ana", "comment": "swapping disk",
//  "updatedAt": "…", "status": {"state": "active"}}   // pending|active|expired
//
// A silence matches an alert when every matcher does (a missing label reads
// as ""). Parsing takes text from the API: bounded, and every problem is a
// sentence for a 400.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/alert.h"
#include "common/result.h"
#include "query/label_matcher.h"

namespace kscope {

struct SilenceMatcher {
  std::string name;
  std::string value;
  bool is_regex = false;
  bool is_equal = true;
};

struct Silence {
  std::string id;
  std::vector<SilenceMatcher> matchers;
  WallTime starts_at{};
  WallTime ends_at{};
  WallTime updated_at{};
  std::string created_by;
  std::string comment;
};

enum class SilenceState { kPending, kActive, kExpired };
std::string_view silence_state_name(SilenceState s);
SilenceState silence_state(const Silence& s, WallTime now);

// A silence with its matchers compiled.
class CompiledSilence {
 public:
  static Result<CompiledSilence> compile(Silence s);
  const Silence& silence() const { return s_; }
  Silence& silence() { return s_; }
  bool matches(const std::vector<std::pair<std::string, std::string>>& labels) const;

 private:
  Silence s_;
  std::vector<LabelMatcher> matchers_;
};

// POST /api/v1/silences body -> a checked silence (id kept when given:
// an update). now: the time a new silence may not end before.
Result<Silence> parse_silence(const nlohmann::json& body, WallTime now);
nlohmann::json silence_json(const Silence& s, WallTime now);

// "2026-11-22T08:40:01.123Z" or with an offset ("+02:00"); false on junk.
bool parse_rfc3339(const std::string& text, WallTime& out);

// 32 random hex digits (from /dev/urandom via std::random_device).
std::string new_silence_id();

}  // namespace kscope
