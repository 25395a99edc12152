#include "query/selector.h"

#include <cctype>

namespace kscope {
namespace {

bool is_name_char(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Error error(const std::string& what) const {
    return Error("bad selector at offset " + std::to_string(pos_) + ": " + what,
                 R"(use {label="value",label=~"regex"})");
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool eat(char c) {
    skip_space();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string name() {
    skip_space();
    size_t start = pos_;
    while (!done() && is_name_char(s_[pos_], pos_ == start)) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  Result<std::string> quoted() {
    skip_space();
    char quote = peek();
    if (quote != '"' && quote != '\'') return error("expected a quoted value");
    ++pos_;
    std::string out;
    while (!done() && s_[pos_] != quote) {
      char c = s_[pos_++];
      if (c == '\\') {
        if (done()) break;
        char e = s_[pos_++];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += c;
      }
    }
    if (done()) return error("unterminated string");
    ++pos_;
    return out;
  }
  Result<LabelMatcher::Op> op() {
    skip_space();
    auto rest = s_.substr(pos_);
    auto take = [&](size_t n, LabelMatcher::Op o) {
      pos_ += n;
      return o;
    };
    if (rest.starts_with("=~")) return take(2, LabelMatcher::Op::kRegex);
    if (rest.starts_with("!~")) return take(2, LabelMatcher::Op::kNotRegex);
    if (rest.starts_with("!=")) return take(2, LabelMatcher::Op::kNotEqual);
    if (rest.starts_with("=")) return take(1, LabelMatcher::Op::kEqual);
    return error("expected =, !=, =~ or !~");
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<LabelMatcher>> parse_selector(std::string_view text, std::string* metric_name) {
  Parser p(text);
  std::vector<LabelMatcher> out;
  std::string n = p.name();
  if (!n.empty()) {
    if (metric_name == nullptr) return p.error("a metric name is not allowed here");
    *metric_name = n;
  }
  p.skip_space();
  if (p.done()) return out;
  if (!p.eat('{')) return p.error("expected '{'");
  if (p.eat('}')) {
    p.skip_space();
    if (!p.done()) return p.error("text after '}'");
    return out;
  }
  while (true) {
    std::string label = p.name();
    if (label.empty()) return p.error("expected a label name");
    auto op = p.op();
    if (!op) return op.error();
    auto value = p.quoted();
    if (!value) return value.error();
    auto m = LabelMatcher::make(std::move(label), *op, std::move(*value));
    if (!m) return p.error(m.error().message());
    out.push_back(std::move(*m));
    if (p.eat(',')) {
      if (p.eat('}')) break;
      continue;
    }
    if (p.eat('}')) break;
    return p.error("expected ',' or '}'");
  }
  p.skip_space();
  if (!p.done()) return p.error("text after '}'");
  return out;
}

}  // namespace kscope
