#include "top/value_format.h"

#include <cmath>
#include <cstdio>

namespace kscope {
namespace {

std::string three_digits(double v, const char* unit) {
  char buf[32];
  if (v >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f%s", v, unit);
  } else if (v >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f%s", v, unit);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f%s", v, unit);
  }
  return buf;
}

}  // namespace

std::string format_si(double v) {
  if (!std::isfinite(v) || v < 0) return "-";
  if (v == 0) return "0";
  static const char* kUnits[] = {"", "k", "M", "G", "T"};
  int u = 0;
  // Round first so 999.7 becomes "1.00k", not "1000".
  while (u < 4 && v >= 999.5) {
    v /= 1000;
    ++u;
  }
  return three_digits(v, kUnits[u]);
}

std::string format_cores(double c) {
  if (!std::isfinite(c) || c < 0) return "-";
  if (c == 0) return "0";
  char buf[32];
  // Two decimals below 10 cores: a thread at 2% of a core reads 0.02.
  std::snprintf(buf, sizeof buf, c < 9.995 ? "%.2f" : c < 99.95 ? "%.1f" : "%.0f", c);
  return buf;
}

std::string format_seconds(double s) {
  if (!std::isfinite(s) || s < 0) return "-";
  if (s == 0) return "0";
  if (s < 999.5e-9) return three_digits(s * 1e9, "ns");
  if (s < 999.5e-6) return three_digits(s * 1e6, "us");
  if (s < 999.5e-3) return three_digits(s * 1e3, "ms");
  if (s < 99.5) return three_digits(s, "s");
  char buf[32];
  if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%.1fm", s / 60);
  } else if (s < 86400 * 2) {
    std::snprintf(buf, sizeof buf, "%.1fh", s / 3600);
  } else {
    std::snprintf(buf, sizeof buf, "%.1fd", s / 86400);
  }
  return buf;
}

std::string format_bytes(double b) {
  if (!std::isfinite(b) || b < 0) return "-";
  if (b == 0) return "0";
  static const char* kUnits[] = {"B", "Ki", "Mi", "Gi", "Ti", "Pi"};
  int u = 0;
  while (u < 5 && b >= 1023.5) {
    b /= 1024;
    ++u;
  }
  if (u == 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0fB", b);
    return buf;
  }
  return three_digits(b, kUnits[u]);
}

std::string format_percent(double f) {
  if (!std::isfinite(f) || f < 0) return "-";
  if (f == 0) return "0%";
  const double p = f * 100;
  char buf[32];
  std::snprintf(buf, sizeof buf, p >= 9.95 ? "%.0f%%" : p >= 0.995 ? "%.1f%%" : "%.2f%%", p);
  return buf;
}

std::string format_count(double n) {
  if (!std::isfinite(n) || n < 0) return "-";
  if (n < 9999.5) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
  }
  return format_si(n);
}

}  // namespace kscope
