// Short, fixed-width-friendly numbers for terminals and reports: rates with
// SI suffixes ("12.3k"), latencies in the unit that fits ("850us", "1.20s").
#pragma once

#include <optional>
#include <string>

namespace kscope {

// 0 -> "0", 1234 -> "1.23k", 5.6e6 -> "5.60M"; at most 6 characters for
// values below 1e15. Negative and non-finite values: "-".
std::string format_si(double v);

// Seconds as "0", "750ns", "12.3us", "4.50ms", "1.20s", "3.0m", "2.0h".
std::string format_seconds(double s);

// CPU cores: "0", "0.02", "1.00", "12.5", "128"; "-" as format_si.
std::string format_cores(double cores);

// "-" for an absent value, else fn(value).
template <class Fn>
std::string format_opt(const std::optional<double>& v, Fn fn) {
  return v ? fn(*v) : std::string("-");
}

}  // namespace kscope
