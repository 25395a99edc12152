// /proc/loadavg: the 1, 5 and 15 minute load averages.
#pragma once

#include <optional>
#include <string_view>

namespace kscope::host {

struct LoadAvg {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
};

// nullopt unless the text starts with three numbers.
std::optional<LoadAvg> parse_loadavg(std::string_view text);

}  // namespace kscope::host
