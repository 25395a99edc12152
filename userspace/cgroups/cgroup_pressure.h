// Pressure stall information of a cgroup (cpu.pressure, memory.pressure,
// io.pressure in the cgroup2 hierarchy): the cumulative stall time, as
// node_exporter's node_pressure_* counters use it. Pure text to struct.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kscope {

struct Pressure {
  std::optional<uint64_t> some_usec;  // at least one task stalled
  std::optional<uint64_t> full_usec;  // all non-idle tasks stalled (cpu: since 5.13)
};

// "some avg10=0.00 avg60=0.00 avg300=0.00 total=1234\nfull avg10=... total=5\n"
Pressure parse_pressure(std::string_view text);

}  // namespace kscope
