#include "query/label_matcher.h"

#include <re2/re2.h>

namespace kscope {

Result<LabelMatcher> LabelMatcher::make(std::string name, Op op, std::string value) {
  LabelMatcher m;
  m.name_ = std::move(name);
  m.op_ = op;
  m.value_ = std::move(value);
  if (op != Op::kRegex && op != Op::kNotRegex) return m;
  if (m.value_.size() > kMaxRegexLength) {
    return Error("regex longer than " + std::to_string(kMaxRegexLength) + " characters");
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_dot_nl(true);
  // Compiled as given and run with FullMatch (anchored at both ends), not
  // wrapped in "^(?:...)$": wrapping lets "a)|(b" compile as ^a|b$.
  auto re = std::make_shared<const RE2>(m.value_, options);
  if (!re->ok()) return Error("invalid regex '" + m.value_ + "': " + re->error());
  m.re_ = std::move(re);
  return m;
}

Result<LabelMatcher> LabelMatcher::parse_spec(std::string name, std::string_view spec) {
  Op op = Op::kEqual;
  for (auto [prefix, o] : {std::pair{"!=", Op::kNotEqual}, {"=~", Op::kRegex}, {"!~", Op::kNotRegex}}) {
    if (spec.starts_with(prefix)) {
      op = o;
      spec.remove_prefix(2);
      break;
    }
  }
  return make(std::move(name), op, std::string(spec));
}

bool LabelMatcher::matches_value(std::string_view v) const {
  switch (op_) {
    case Op::kEqual: return v == value_;
    case Op::kNotEqual: return v != value_;
    case Op::kRegex: return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
    case Op::kNotRegex: return !RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
  }
  return false;
}

bool matches_all(const std::vector<LabelMatcher>& matchers,
                 const std::vector<std::pair<std::string, std::string>>& labels) {
  for (const auto& m : matchers) {
    const std::string* v = nullptr;
    for (const auto& [k, val] : labels) {
      if (k == m.name()) v = &val;
    }
    if (!m.matches_label(v)) return false;
  }
  return true;
}

std::string_view op_text(LabelMatcher::Op op) {
  switch (op) {
    case LabelMatcher::Op::kEqual: return "=";
    case LabelMatcher::Op::kNotEqual: return "!=";
    case LabelMatcher::Op::kRegex: return "=~";
    case LabelMatcher::Op::kNotRegex: return "!~";
  }
  return "?";
}

}  // namespace kscope
