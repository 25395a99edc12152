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

// Bytes in binary units: "0", "512B", "12.0Ki", "1.50Gi"; "-" as format_si.
std::string format_bytes(double bytes);

// A fraction as a percentage: 0.934 -> "93%", 0.05 -> "5.0%", 0.0004 ->
// "0.04%"; "-" as format_si.
std::string format_percent(double fraction);

// A count of events: "0", "3", "1234", "12.3k" (integers up to 9999).
std::string format_count(double n);

// "-" for an absent value, else fn(value).
template <class Fn>
std::string format_opt(const std::optional<double>& v, Fn fn) {
  return v ? fn(*v) : std::string("-");
}

}  // namespace kscope
