// /proc/pressure/{cpu,memory,io,irq}: pressure stall information (PSI). Each
// has a "some" line (at least one task stalled) and, except cpu on kernels
// before 5.13, a "full" line (all non-idle tasks stalled); irq has only
// "full". node_exporter names some "waiting" and full "stalled".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kscope::host {

struct Pressure {
  std::optional<uint64_t> some_total_us;  // total= of the "some" line, microseconds
  std::optional<uint64_t> full_total_us;
};

Pressure parse_pressure(std::string_view text);

}  // namespace kscope::host
