#include "host/net_dev.h"

#include "host/text_fields.h"

namespace kscope::host {

NetDevs parse_net_dev(std::string_view text) {
  NetDevs out;
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    // An interface name cannot hold ':' (dev_valid_name), so the first one
    // ends it.
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    if (name.empty() || name.size() > 64 || name.find_first_of(" |\t") != std::string_view::npos) return;
    std::string_view rest = line.substr(colon + 1);
    NetDev d;
    for (auto& v : d.v) {
      auto n = parse_u64(next_field(rest));
      if (!n) return;
      v = *n;
    }
    if (out.interfaces.size() >= kMaxInterfaces) {
      ++out.dropped;
      return;
    }
    d.name = std::string(name);
    out.interfaces.push_back(std::move(d));
  });
  return out;
}

}  // namespace kscope::host
