// kscope's own process, in the names every Prometheus client library uses
// (process_cpu_seconds_total, process_resident_memory_bytes, ...), so the
// usual dashboards and alerts for exporters work on kscope too.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace kscope {

struct ProcessStat {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t threads = 0;
  uint64_t start_ticks = 0;  // since boot
  uint64_t vsize_bytes = 0;
  uint64_t rss_pages = 0;
};

// Parses /proc/PID/stat. The command name is in parentheses and may itself
// hold spaces and ')' (a process names itself), so fields are counted from
// the last ')'. nullopt when the text is not a stat line.
std::optional<ProcessStat> parse_proc_stat(std::string_view text);

// Appends the process_* families for the calling process; families whose
// source cannot be read are left out.
void append_process_metrics(std::vector<Family>& out);

}  // namespace kscope
