#include "alerts/silence.h"

#include <algorithm>
#include <cctype>
#include <random>

#include "alerts/payloads.h"
#include "common/escape.h"
#include "common/time_zone.h"

namespace kscope {
namespace {

constexpr size_t kMaxMatchers = 32;
constexpr size_t kMaxText = 1024;
constexpr size_t kMaxRegex = 256;

bool valid_label_name(const std::string& s) {
  if (s.empty() || s.size() > 128 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

Result<std::string> text_field(const nlohmann::json& body, const char* key, bool required) {
  if (!body.contains(key) || body[key].is_null()) {
    if (required) return Error(std::string(key) + " is required");
    return std::string();
  }
  if (!body[key].is_string()) return Error(std::string(key) + " must be a string");
  std::string v = body[key].get<std::string>();
  if (v.size() > kMaxText) return Error(std::string(key) + " is longer than 1024 bytes");
  if (required && v.empty()) return Error(std::string(key) + " must not be empty");
  return v;
}

Result<LabelMatcher> compile_matcher(const SilenceMatcher& m) {
  using Op = LabelMatcher::Op;
  Op op = m.is_regex ? (m.is_equal ? Op::kRegex : Op::kNotRegex) : (m.is_equal ? Op::kEqual : Op::kNotEqual);
  return LabelMatcher::make(m.name, op, m.value);
}

}  // namespace

std::string_view silence_state_name(SilenceState s) {
  switch (s) {
    case SilenceState::kPending: return "pending";
    case SilenceState::kActive: return "active";
    case SilenceState::kExpired: return "expired";
  }
  return "?";
}

SilenceState silence_state(const Silence& s, WallTime now) {
  if (now >= s.ends_at) return SilenceState::kExpired;
  if (now < s.starts_at) return SilenceState::kPending;
  return SilenceState::kActive;
}

Result<CompiledSilence> CompiledSilence::compile(Silence s) {
  CompiledSilence c;
  for (const auto& m : s.matchers) {
    auto lm = compile_matcher(m);
    if (!lm) return lm.error();
    c.matchers_.push_back(std::move(*lm));
  }
  c.s_ = std::move(s);
  return c;
}

bool CompiledSilence::matches(const std::vector<std::pair<std::string, std::string>>& labels) const {
  return matches_all(matchers_, labels);
}

bool parse_rfc3339(const std::string& t, WallTime& out) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (t.size() < 20 || t.size() > 40) return false;
  auto digits = [&](size_t pos, size_t n, int& v) {
    v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (i >= t.size() || !std::isdigit(static_cast<unsigned char>(t[i]))) return false;
      v = v * 10 + (t[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!digits(0, 4, y) || t[4] != '-' || !digits(5, 2, mo) || t[7] != '-' || !digits(8, 2, d) ||
      (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !digits(11, 2, h) || t[13] != ':' || !digits(14, 2, mi) ||
      t[16] != ':' || !digits(17, 2, s)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  // system_clock counts nanoseconds in 64 bits: it ends in 2262.
  if (y < 1970 || y > 2200) return false;
  size_t i = 19;
  int64_t nanos = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int64_t scale = 100000000;
    size_t begin = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
      nanos += (t[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == begin) return false;
  }
  int offset = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    int oh, om;
    if (!digits(i + 1, 2, oh) || i + 3 >= t.size() || t[i + 3] != ':' || !digits(i + 4, 2, om)) return false;
    offset = (t[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return false;
  }
  if (i != t.size()) return false;
  int64_t secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 +
                 s - offset;
  out = WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::seconds(secs) + std::chrono::nanoseconds(nanos)));
  return true;
}

Result<Silence> parse_silence(const nlohmann::json& body, WallTime now) {
  if (!body.is_object()) return Error("expected a JSON object with matchers, startsAt, endsAt, createdBy and comment");
  Silence s;
  auto id = text_field(body, "id", false);
  if (!id) return id.error();
  s.id = *id;
  if (s.id.size() > 64) return Error("id is longer than 64 characters");
  auto by = text_field(body, "createdBy", true);
  if (!by) return by.error();
  s.created_by = *by;
  auto comment = text_field(body, "comment", true);
  if (!comment) return comment.error();
  s.comment = *comment;
  if (!body.contains("matchers") || !body["matchers"].is_array() || body["matchers"].empty()) {
    return Error("matchers must be a non-empty list of {name, value, isRegex, isEqual}");
  }
  if (body["matchers"].size() > kMaxMatchers) return Error("at most 32 matchers per silence");
  bool any_selective = false;
  for (const auto& m : body["matchers"]) {
    if (!m.is_object()) return Error("each matcher must be an object {name, value, isRegex, isEqual}");
    SilenceMatcher sm;
    auto name = text_field(m, "name", true);
    if (!name) return name.error().with_context("matcher");
    sm.name = *name;
    if (!valid_label_name(sm.name)) return Error("matcher name '" + sanitize_utf8(sm.name) + "' is not a label name");
    if (!m.contains("value") || !m["value"].is_string()) return Error("matcher " + sm.name + ": value must be a string");
    sm.value = m["value"].get<std::string>();
    if (sm.value.size() > kMaxText) return Error("matcher " + sm.name + ": value is longer than 1024 bytes");
    for (auto [key, field] : {std::pair{"isRegex", &sm.is_regex}, std::pair{"isEqual", &sm.is_equal}}) {
      if (!m.contains(key) || m[key].is_null()) continue;
      if (!m[key].is_boolean()) return Error("matcher " + sm.name + ": " + key + " must be true or false");
      *field = m[key].get<bool>();
    }
    if (sm.is_regex && sm.value.size() > kMaxRegex) return Error("matcher " + sm.name + ": regex longer than 256 characters");
    auto lm = compile_matcher(sm);
    if (!lm) return lm.error().with_context("matcher " + sm.name);
    if (!lm->matches_value("")) any_selective = true;
    s.matchers.push_back(std::move(sm));
  }
  // As Alertmanager: a silence whose matchers all match the empty string
  // would silence everything.
  if (!any_selective) return Error("at least one matcher must not match the empty string (it would silence every alert)");
  for (auto [key, field] : {std::pair{"startsAt", &s.starts_at}, std::pair{"endsAt", &s.ends_at}}) {
    auto t = text_field(body, key, false);
    if (!t) return t.error();
    if (t->empty()) {
      if (std::string(key) == "endsAt") return Error("endsAt is required (RFC 3339, e.g. 2026-11-22T10:00:00Z)");
      *field = now;
      continue;
    }
    if (!parse_rfc3339(*t, *field)) return Error(std::string(key) + " '" + sanitize_utf8(*t) + "' is not an RFC 3339 time");
  }
  if (s.ends_at <= s.starts_at) return Error("endsAt must be after startsAt");
  if (s.ends_at <= now) return Error("endsAt is in the past");
  if (s.starts_at < now) s.starts_at = now;
  return s;
}

nlohmann::json silence_json(const Silence& s, WallTime now) {
  nlohmann::json matchers = nlohmann::json::array();
  for (const auto& m : s.matchers) {
    matchers.push_back({{"name", m.name}, {"value", sanitize_utf8(m.value)}, {"isRegex", m.is_regex}, {"isEqual", m.is_equal}});
  }
  return {{"id", s.id},
          {"matchers", matchers},
          {"startsAt", rfc3339(s.starts_at)},
          {"endsAt", rfc3339(s.ends_at)},
          {"updatedAt", rfc3339(s.updated_at)},
          {"createdBy", sanitize_utf8(s.created_by)},
          {"comment", sanitize_utf8(s.comment)},
          {"status", {{"state", silence_state_name(silence_state(s, now))}}}};
}

std::string new_silence_id() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 4; ++i) {
    uint32_t v = rd();
    for (int k = 0; k < 8; ++k) id += hex[(v >> (k * 4)) & 0xf];
  }
  return id;
}

}  // namespace kscope
