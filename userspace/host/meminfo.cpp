#include "host/meminfo.h"

#include <algorithm>

#include "host/text_fields.h"

namespace kscope::host {
namespace {

// "Active(anon)" -> "Active_anon", as node_exporter names it; empty when the
// name has a character a metric name cannot hold.
std::string metric_name(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '(') {
      out += '_';
    } else if (c == ')') {
      continue;
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      out += c;
    } else {
      return {};
    }
  }
  return out;
}

}  // namespace

std::vector<MeminfoField> parse_meminfo(std::string_view text) {
  std::vector<MeminfoField> out;
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    if (out.size() >= kMaxMeminfoFields) return;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 64) return;
    std::string name = metric_name(line.substr(0, colon));
    if (name.empty()) return;
    std::string_view rest = line.substr(colon + 1);
    auto value = parse_u64(next_field(rest));
    if (!value) return;
    std::string_view unit = next_field(rest);
    double v = double(*value);
    if (unit == "kB") {
      v *= 1024;
      name += "_bytes";
    } else if (!unit.empty() || !rest.empty()) {
      return;
    }
    if (std::any_of(out.begin(), out.end(), [&](const MeminfoField& f) { return f.name == name; })) return;
    out.push_back({std::move(name), v});
  });
  return out;
}

}  // namespace kscope::host
