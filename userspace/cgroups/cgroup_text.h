// Parsers for the cgroup files that hold one number or "key value" lines
// (cpuacct.usage, memory.current, cpu.stat, memory.stat, memory.events,
// memory.oom_control, cpu.max), cgroup v1 and v2. Pure text to struct, no
// I/O. Every parser is bounded (lines, key and number lengths) and treats
// text it does not recognise as absent rather than as zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kscope {

// At most this many lines of a keyed file are looked at (v2 memory.stat has
// about 60 today; the bound keeps a hostile or future file from costing).
inline constexpr size_t kCgroupMaxLines = 256;

// A whole file holding one decimal number ("123\n"); nullopt otherwise.
std::optional<uint64_t> parse_cgroup_u64(std::string_view text);

// A memory limit: memory.max ("max" or bytes) or memory.limit_in_bytes
// (bytes; v1 writes its "unlimited" as PAGE_COUNTER_MAX pages, 0x7FFFFFFFFFFFF000
// on 4 KiB pages). nullopt when unlimited or not a number.
std::optional<uint64_t> parse_memory_limit(std::string_view text);

// CPU limit in cores: v2 cpu.max "QUOTA PERIOD" ("max 100000" = unlimited),
// v1 cpu.cfs_quota_us (-1 = unlimited) over cpu.cfs_period_us.
std::optional<double> parse_cpu_max(std::string_view text);
std::optional<double> cpu_limit_from_cfs(std::string_view quota_us, std::string_view period_us);

// Calls f(key, value) for each "key value" line whose value is a decimal
// number, in order, for at most kCgroupMaxLines lines. Used for cpu.stat,
// memory.stat, memory.events and memory.oom_control.
template <typename F>
void for_each_cgroup_key(std::string_view text, F&& f);

// cpu.stat: v2 reports microseconds, v1 (cpu controller) nanoseconds.
struct CpuStat {
  std::optional<uint64_t> usage_usec;  // v2 only (v1: cpuacct.usage)
  std::optional<uint64_t> nr_periods;
  std::optional<uint64_t> nr_throttled;
  std::optional<double> throttled_seconds;  // v2 throttled_usec, v1 throttled_time
};
CpuStat parse_cpu_stat(std::string_view text);

// The memory.stat figures kscope uses. v2 names them anon/file/inactive_file;
// v1 has hierarchical total_rss/total_cache/total_inactive_file, which
// include the children as memory.usage_in_bytes does.
struct MemoryStat {
  std::optional<uint64_t> anon;
  std::optional<uint64_t> file;
  std::optional<uint64_t> inactive_file;
};
MemoryStat parse_memory_stat_v2(std::string_view text);
MemoryStat parse_memory_stat_v1(std::string_view text);

// cAdvisor's working set: usage minus inactive file pages, floored at 0.
uint64_t working_set_bytes(uint64_t usage, const MemoryStat& stat);

// v2 memory.events (low, high, max, oom, oom_kill; v1 only has
// memory.failcnt, read as "max", and memory.oom_control's oom_kill).
struct MemoryEvents {
  std::optional<uint64_t> low, high, max, oom, oom_kill;
};
MemoryEvents parse_memory_events(std::string_view text);
// memory.oom_control: "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n".
std::optional<uint64_t> parse_oom_control_kills(std::string_view text);

// ---- implementation of the template

namespace cgroup_text_detail {
std::optional<uint64_t> to_u64(std::string_view digits);
std::string_view trim(std::string_view s);
}  // namespace cgroup_text_detail

template <typename F>
void for_each_cgroup_key(std::string_view text, F&& f) {
  size_t lines = 0;
  while (!text.empty() && lines++ < kCgroupMaxLines) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp > 64) continue;
    auto value = cgroup_text_detail::to_u64(cgroup_text_detail::trim(line.substr(sp + 1)));
    if (value) f(line.substr(0, sp), *value);
  }
}

}  // namespace kscope
