// Human durations ("250us", "10ms", "1.5s", "2m", "1h") and sizes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace kscope {

using Nanos = std::chrono::nanoseconds;

// Parses a duration with a unit suffix: ns, us (or µs), ms, s, m, h, d.
// A bare number is rejected: a unit must be said.
Result<Nanos> parse_duration(std::string_view text);

// The shortest exact-ish human form: "2ms", "1.5s", "250us".
std::string format_duration(Nanos d);

}  // namespace kscope
