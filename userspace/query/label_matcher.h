// One label condition with Prometheus' meaning, used wherever kscope matches
// labels: history queries and WebSocket subscriptions (/api/v1/query),
// signals, alert rules. `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`;
// a label a series does not have reads as "". Regexes are RE2, fully
// anchored as in Prometheus (`=~"read|write"` matches "read", not "reader"),
// and `.` matches a newline too. RE2 runs in time linear in the text, so a
// hostile pattern or label value cannot make a match slow.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace re2 {
class RE2;
}

namespace kscope {

class LabelMatcher {
 public:
  enum class Op { kEqual, kNotEqual, kRegex, kNotRegex };

  // The longest regex accepted. RE2 is linear in time; this bounds the
  // memory of the compiled program that a query or config line can ask for.
  static constexpr size_t kMaxRegexLength = 1024;

  // An Error when the regex does not compile or is too long.
  static Result<LabelMatcher> make(std::string name, Op op, std::string value);
  // The config form: a plain value is equality; a value starting with "!=",
  // "=~" or "!~" uses that operator.
  static Result<LabelMatcher> parse_spec(std::string name, std::string_view spec);

  const std::string& name() const { return name_; }
  Op op() const { return op_; }
  const std::string& value() const { return value_; }

  bool matches_value(std::string_view v) const;
  // A missing label (nullptr) matches as "".
  bool matches_label(const std::string* v) const {
    return matches_value(v != nullptr ? std::string_view(*v) : std::string_view());
  }
  // Anything with `const std::string* label(std::string_view) const`: a
  // snapshot Series, a history series.
  template <class Labelled>
  bool matches(const Labelled& s) const {
    return matches_label(s.label(name_));
  }

 private:
  std::string name_;
  Op op_ = Op::kEqual;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // kRegex, kNotRegex
};

template <class Labelled>
bool matches_all(const std::vector<LabelMatcher>& matchers, const Labelled& s) {
  for (const auto& m : matchers) {
    if (!m.matches(s)) return false;
  }
  return true;
}

// For a plain label list of (name, value) pairs.
bool matches_all(const std::vector<LabelMatcher>& matchers,
                 const std::vector<std::pair<std::string, std::string>>& labels);

// "=", "!=", "=~", "!~".
std::string_view op_text(LabelMatcher::Op op);

}  // namespace kscope
