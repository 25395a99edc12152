#include "common/duration.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kscope {

Result<Nanos> parse_duration(std::string_view text) {
  std::string s(text);
  if (s.empty()) return Error("empty duration", "write e.g. 10ms, 2s or 1m");
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || errno != 0 || !std::isfinite(value) || value < 0) {
    return Error("invalid duration '" + s + "'", "write a non-negative number with a unit, e.g. 10ms");
  }
  std::string_view unit(end);
  double scale;
  if (unit == "ns") {
    scale = 1;
  } else if (unit == "us" || unit == "\xC2\xB5s") {
    scale = 1e3;
  } else if (unit == "ms") {
    scale = 1e6;
  } else if (unit == "s") {
    scale = 1e9;
  } else if (unit == "m") {
    scale = 60e9;
  } else if (unit == "h") {
    scale = 3600e9;
  } else if (unit == "d") {
    scale = 86400e9;
  } else if (unit.empty()) {
    return Error("duration '" + s + "' has no unit", "add one of ns, us, ms, s, m, h, d");
  } else {
    return Error("duration '" + s + "' has an unknown unit '" + std::string(unit) + "'",
                 "use one of ns, us, ms, s, m, h, d");
  }
  double ns = value * scale;
  if (ns > 9.2e18) return Error("duration '" + s + "' is too large");
  return Nanos(static_cast<int64_t>(std::llround(ns)));
}

std::string format_duration(Nanos d) {
  struct Unit {
    int64_t ns;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{86400000000000LL, "d"}, {3600000000000LL, "h"},
                                    {60000000000LL, "m"},    {1000000000LL, "s"},
                                    {1000000LL, "ms"},       {1000LL, "us"}};
  int64_t ns = d.count();
  for (const auto& u : kUnits) {
    if (ns >= u.ns) {
      char buf[48];
      double v = static_cast<double>(ns) / static_cast<double>(u.ns);
      std::snprintf(buf, sizeof(buf), "%.3g%s", v, u.name);
      return buf;
    }
  }
  return std::to_string(ns) + "ns";
}

}  // namespace kscope
