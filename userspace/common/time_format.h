// Wall-clock times as text, for file names, reports and terminals.
#pragma once

#include <chrono>
#include <string>

namespace kscope {

// strftime(fmt) of t, in UTC or in the local time zone.
std::string format_time(std::chrono::system_clock::time_point t, const char* fmt, bool utc = true);

}  // namespace kscope
