#include "cgroups/cgroup_text.h"

#include <charconv>

namespace kscope {
namespace cgroup_text_detail {

std::optional<uint64_t> to_u64(std::string_view digits) {
  // 20 digits hold any uint64_t; from_chars reports overflow past that.
  if (digits.empty() || digits.size() > 20) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace cgroup_text_detail

using cgroup_text_detail::to_u64;
using cgroup_text_detail::trim;

std::optional<uint64_t> parse_cgroup_u64(std::string_view text) { return to_u64(trim(text)); }

std::optional<uint64_t> parse_memory_limit(std::string_view text) {
  auto v = to_u64(trim(text));
  // v1's unlimited is PAGE_COUNTER_MAX * PAGE_SIZE, just under 2^63 for any
  // page size; no real limit comes near 2^62 bytes.
  if (!v || *v >= (uint64_t{1} << 62)) return std::nullopt;
  return v;
}

std::optional<double> parse_cpu_max(std::string_view text) {
  text = trim(text);
  size_t sp = text.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto quota = to_u64(text.substr(0, sp));  // "max" is not a number: unlimited
  auto period = to_u64(text.substr(sp + 1));
  if (!quota || !period || *period == 0) return std::nullopt;
  return double(*quota) / double(*period);
}

std::optional<double> cpu_limit_from_cfs(std::string_view quota_us, std::string_view period_us) {
  auto quota = to_u64(trim(quota_us));  // "-1" is unlimited and not a u64
  auto period = to_u64(trim(period_us));
  if (!quota || !period || *period == 0) return std::nullopt;
  return double(*quota) / double(*period);
}

CpuStat parse_cpu_stat(std::string_view text) {
  CpuStat s;
  for_each_cgroup_key(text, [&](std::string_view k, uint64_t v) {
    if (k == "usage_usec") s.usage_usec = v;
    else if (k == "nr_periods") s.nr_periods = v;
    else if (k == "nr_throttled") s.nr_throttled = v;
    else if (k == "throttled_usec") s.throttled_seconds = double(v) / 1e6;
    else if (k == "throttled_time") s.throttled_seconds = double(v) / 1e9;
  });
  return s;
}

MemoryStat parse_memory_stat_v2(std::string_view text) {
  MemoryStat s;
  for_each_cgroup_key(text, [&](std::string_view k, uint64_t v) {
    if (k == "anon") s.anon = v;
    else if (k == "file") s.file = v;
    else if (k == "inactive_file") s.inactive_file = v;
  });
  return s;
}

MemoryStat parse_memory_stat_v1(std::string_view text) {
  MemoryStat s;
  for_each_cgroup_key(text, [&](std::string_view k, uint64_t v) {
    if (k == "total_rss") s.anon = v;
    else if (k == "total_cache") s.file = v;
    else if (k == "total_inactive_file") s.inactive_file = v;
  });
  return s;
}

uint64_t working_set_bytes(uint64_t usage, const MemoryStat& stat) {
  uint64_t inactive = stat.inactive_file.value_or(0);
  return usage > inactive ? usage - inactive : 0;
}

MemoryEvents parse_memory_events(std::string_view text) {
  MemoryEvents e;
  for_each_cgroup_key(text, [&](std::string_view k, uint64_t v) {
    if (k == "low") e.low = v;
    else if (k == "high") e.high = v;
    else if (k == "max") e.max = v;
    else if (k == "oom") e.oom = v;
    else if (k == "oom_kill") e.oom_kill = v;
  });
  return e;
}

std::optional<uint64_t> parse_oom_control_kills(std::string_view text) {
  std::optional<uint64_t> kills;
  for_each_cgroup_key(text, [&](std::string_view k, uint64_t v) {
    if (k == "oom_kill") kills = v;
  });
  return kills;
}

}  // namespace kscope
