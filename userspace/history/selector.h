// Label matchers in Prometheus selector syntax, `{comm="nginx",syscall=~"read|write"}`,
// as taken by /api/v1/query. Parsing hostile text never throws: a bad
// selector is an Error naming the position.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "collect/snapshot.h"
#include "common/result.h"

namespace kscope {

struct SelectorMatcher {
  enum class Op { kEqual, kNotEqual, kRegex, kNotRegex };
  std::string name;
  Op op = Op::kEqual;
  std::string value;
  std::shared_ptr<const std::regex> regex;  // anchored, for kRegex/kNotRegex

  // A missing label matches as the empty string, as in Prometheus.
  bool matches(const Labels& labels) const;
  // The same for the label's value when found, or nullptr when missing.
  bool matches_value(const std::string* value) const;
};

// The longest regex accepted: std::regex recurses per character, so both the
// pattern and what it runs on stay short.
inline constexpr size_t kMaxRegexLength = 256;

// Parses "{...}" (braces optional; empty text means no matchers). An
// optional metric name before the braces is returned in *name when given.
Result<std::vector<SelectorMatcher>> parse_selector(std::string_view text, std::string* name = nullptr);

bool matches_all(const std::vector<SelectorMatcher>& matchers, const Labels& labels);

}  // namespace kscope
