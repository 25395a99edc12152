#include "config/yaml_reader.h"

#include <algorithm>

namespace kscope {

YamlSection::YamlSection(const YAML::Node& node, std::string file, std::string path,
                         std::vector<std::string>* errors)
    : file_(std::move(file)), path_(std::move(path)), errors_(errors) {
  // Absent keys come back from yaml-cpp as "invalid" nodes that throw on
  // most calls; normalise them to an empty node.
  if (node.IsDefined()) node_ = node;
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    errors_->push_back(where(node_) + ": " + (path_.empty() ? "config" : path_) +
                       ": expected a mapping of key: value");
    node_ = YAML::Node();
  }
}

std::string YamlSection::where(const YAML::Node& n) const {
  auto mark = n.Mark();
  if (mark.line < 0) return file_;
  return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool YamlSection::has(const std::string& key) const {
  const YAML::Node& map = node_;
  return map.IsDefined() && map.IsMap() && map[key].IsDefined();
}

YAML::Node YamlSection::child(const std::string& key) {
  known_.insert(key);
  if (!node_.IsDefined() || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  // The const operator[] does not insert the key (the non-const one does).
  const YAML::Node& map = node_;
  YAML::Node n = map[key];
  return n.IsDefined() ? n : YAML::Node(YAML::NodeType::Undefined);
}

void YamlSection::error(const std::string& key, const std::string& message) {
  const YAML::Node& map = node_;
  YAML::Node n = has(key) ? map[key] : map;
  std::string field = path_.empty() ? key : path_ + "." + key;
  errors_->push_back(where(n) + ": " + field + ": " + message);
}

void YamlSection::read(const std::string& key, bool& out) {
  auto n = child(key);
  if (!n.IsDefined()) return;
  bool v;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
    error(key, "expected true or false, got '" + (n.IsScalar() ? n.Scalar() : "a structure") + "'");
    return;
  }
  out = v;
}

void YamlSection::read(const std::string& key, std::string& out) {
  auto n = child(key);
  if (!n.IsDefined()) return;
  if (n.IsNull()) {
    out.clear();
    return;
  }
  if (!n.IsScalar()) {
    error(key, "expected a string");
    return;
  }
  out = n.Scalar();
}

void YamlSection::read(const std::string& key, uint64_t& out, uint64_t min, uint64_t max) {
  auto n = child(key);
  if (!n.IsDefined()) return;
  const std::string text = n.IsScalar() ? n.Scalar() : "";
  bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || text.size() > 19) {
    error(key, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                   ", got '" + (n.IsScalar() ? text : "a structure") + "'");
    return;
  }
  uint64_t v = std::stoull(text);
  if (v < min || v > max) {
    error(key, "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + text);
    return;
  }
  out = v;
}

void YamlSection::read(const std::string& key, uint32_t& out, uint64_t min, uint64_t max) {
  uint64_t v = out;
  read(key, v, min, std::min<uint64_t>(max, UINT32_MAX));
  out = static_cast<uint32_t>(v);
}

void YamlSection::read(const std::string& key, double& out) {
  auto n = child(key);
  if (!n.IsDefined()) return;
  double v;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v)) {
    error(key, "expected a number, got '" + (n.IsScalar() ? n.Scalar() : "a structure") + "'");
    return;
  }
  out = v;
}

void YamlSection::read(const std::string& key, Nanos& out) {
  auto n = child(key);
  if (!n.IsDefined()) return;
  if (!n.IsScalar()) {
    error(key, "expected a duration like 10ms or 2s");
    return;
  }
  auto d = parse_duration(n.Scalar());
  if (!d) {
    error(key, d.error().message() + (d.error().hint().empty() ? "" : " (" + d.error().hint() + ")"));
    return;
  }
  out = *d;
}

void YamlSection::read_enum(const std::string& key, std::string& out,
                            const std::vector<std::string>& allowed) {
  std::string v = out;
  auto before = errors_->size();
  read(key, v);
  if (errors_->size() != before) return;
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    error(key, "expected one of " + list + ", got '" + v + "'");
    return;
  }
  out = v;
}

void YamlSection::read_durations(const std::string& key, std::vector<double>& out_seconds) {
  auto n = child(key);
  if (!n.IsDefined()) return;
  if (!n.IsSequence()) {
    error(key, "expected a list of durations, e.g. [1ms, 10ms, 100ms]");
    return;
  }
  std::vector<double> values;
  for (const auto& item : n) {
    auto d = item.IsScalar() ? parse_duration(item.Scalar()) : Result<Nanos>(Error("not a scalar"));
    if (!d) {
      errors_->push_back(where(item) + ": " + path_ + "." + key + ": " + d.error().message());
      return;
    }
    values.push_back(static_cast<double>(d->count()) * 1e-9);
  }
  if (!std::is_sorted(values.begin(), values.end()) ||
      std::adjacent_find(values.begin(), values.end()) != values.end()) {
    error(key, "durations must be strictly increasing");
    return;
  }
  out_seconds = values;
}

void YamlSection::read_strings(const std::string& key, std::vector<std::string>& out) {
  auto n = child(key);
  if (!n || n.IsNull()) return;
  if (!n.IsSequence()) {
    error(key, "expected a list of names, e.g. [read, write]");
    return;
  }
  std::vector<std::string> values;
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      errors_->push_back(where(item) + ": " + path_ + "." + key + ": expected a name, not a structure");
      return;
    }
    values.push_back(item.Scalar());
  }
  out = values;
}

void YamlSection::read_map(const std::string& key, std::vector<std::pair<std::string, std::string>>& out) {
  auto n = child(key);
  if (!n || n.IsNull()) return;
  if (!n.IsMap()) {
    error(key, "expected a mapping of name: text");
    return;
  }
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& kv : n) {
    if (!kv.second.IsScalar()) {
      errors_->push_back(where(kv.second) + ": " + path_ + "." + key + "." + kv.first.Scalar() +
                         ": expected text, not a structure");
      return;
    }
    values.emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
  out = values;
}

YamlSection YamlSection::section(const std::string& key) {
  auto n = child(key);
  return YamlSection(n, file_, path_.empty() ? key : path_ + "." + key, errors_);
}

void YamlSection::each(const std::string& key, const std::function<void(YamlSection&)>& fn) {
  auto n = child(key);
  if (!n.IsDefined() || n.IsNull()) return;
  std::string p = path_.empty() ? key : path_ + "." + key;
  if (!n.IsSequence()) {
    error(key, "expected a list");
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    YamlSection s(n[i], file_, p + "[" + std::to_string(i) + "]", errors_);
    fn(s);
  }
}

void YamlSection::finish() {
  if (!node_.IsDefined() || !node_.IsMap()) return;
  for (const auto& kv : node_) {
    std::string key = kv.first.Scalar();
    if (!known_.count(key)) {
      std::string field = path_.empty() ? key : path_ + "." + key;
      std::string known;
      for (const auto& k : known_) known += (known.empty() ? "" : ", ") + k;
      errors_->push_back(where(kv.first) + ": " + field + ": unknown field (known here: " + known + ")");
    }
  }
}

}  // namespace kscope
