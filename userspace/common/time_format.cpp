#include "common/time_format.h"

#include <ctime>

namespace kscope {

std::string format_time(std::chrono::system_clock::time_point t, const char* fmt, bool utc) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  if (utc) {
    gmtime_r(&secs, &tm);
  } else {
    localtime_r(&secs, &tm);
  }
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  return std::string(buf, n);
}

}  // namespace kscope
