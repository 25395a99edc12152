// Strict, line-numbered reading of a YAML mapping into typed fields. Every
// key read is remembered so finish() can report the unknown ones; every error
// names the file, line and column, the field, and what was expected.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/duration.h"
#include "common/result.h"
#include "common/enum_names.h"

namespace kscope {

class YamlSection {
 public:
  // `path` is the dotted location for messages ("probes.syscalls").
  YamlSection(const YAML::Node& node, std::string file, std::string path,
              std::vector<std::string>* errors);

  bool has(const std::string& key) const;

  void read(const std::string& key, bool& out);
  void read(const std::string& key, std::string& out);
  void read(const std::string& key, uint32_t& out, uint64_t min = 0, uint64_t max = UINT32_MAX);
  void read(const std::string& key, uint64_t& out, uint64_t min = 0, uint64_t max = UINT64_MAX);
  void read(const std::string& key, double& out);
  void read(const std::string& key, Nanos& out);
  // One of a fixed set of words.
  void read_enum(const std::string& key, std::string& out, const std::vector<std::string>& allowed);
  // One of an enum's names (common/enum_names.h), turned into the enum here
  // once. Absent or wrong (reported as above), out keeps its value.
  template <typename E, std::size_t N>
  void read_enum(const std::string& key, E& out, const EnumNames<E, N>& names);
  void read_durations(const std::string& key, std::vector<double>& out_seconds);
  // A list of plain strings: [read, write].
  void read_strings(const std::string& key, std::vector<std::string>& out);
  // A mapping of name: text (labels, annotations), in file order.
  void read_map(const std::string& key, std::vector<std::pair<std::string, std::string>>& out);

  // A nested mapping; absent keys give an empty section.
  YamlSection section(const std::string& key);
  // A sequence of mappings, each handed to fn.
  void each(const std::string& key, const std::function<void(YamlSection&)>& fn);

  // Reports every key that was not read as an error.
  void finish();

  // "file:line:col: path.key: message"
  void error(const std::string& key, const std::string& message);
  const YAML::Node& node() const { return node_; }
  std::string where(const YAML::Node& n) const;

 private:
  YAML::Node child(const std::string& key);

  YAML::Node node_{YAML::NodeType::Undefined};
  std::string file_;
  std::string path_;
  std::vector<std::string>* errors_;
  std::set<std::string> known_;
};

template <typename E, std::size_t N>
void YamlSection::read_enum(const std::string& key, E& out, const EnumNames<E, N>& names) {
  std::string text(enum_name(names, out));
  read_enum(key, text, enum_name_strings(names));
  if (auto v = parse_enum(names, text)) out = *v;
}

}  // namespace kscope
