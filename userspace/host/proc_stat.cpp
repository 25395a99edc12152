#include "host/proc_stat.h"

#include "host/text_fields.h"

namespace kscope::host {
namespace {

std::optional<CpuTimes> parse_cpu_line(std::string_view key, std::string_view rest) {
  auto id = parse_u64(key.substr(3));
  if (!id || *id > UINT32_MAX) return std::nullopt;
  CpuTimes t;
  t.cpu = static_cast<uint32_t>(*id);
  size_t n = 0;
  for (; n < kCpuModes; ++n) {
    auto f = next_field(rest);
    if (f.empty()) break;
    auto v = parse_u64(f);
    if (!v) return std::nullopt;
    t.ticks[n] = *v;
  }
  if (n < 4) return std::nullopt;
  return t;
}

}  // namespace

KernelStat parse_kernel_stat(std::string_view text) {
  KernelStat out;
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    std::string_view rest = line;
    std::string_view key = next_field(rest);
    if (key.size() > 3 && key.starts_with("cpu")) {
      auto t = parse_cpu_line(key, rest);
      if (!t) return;
      if (out.cpus.size() < kMaxCpus) {
        out.cpus.push_back(*t);
      } else {
        ++out.cpus_dropped;
      }
      return;
    }
    auto value = parse_u64(next_field(rest));
    if (!value) return;
    if (key == "ctxt") {
      out.context_switches = value;
    } else if (key == "btime") {
      out.boot_time = value;
    } else if (key == "processes") {
      out.forks = value;
    } else if (key == "intr") {
      out.interrupts = value;
    } else if (key == "procs_running") {
      out.procs_running = value;
    } else if (key == "procs_blocked") {
      out.procs_blocked = value;
    }
  });
  return out;
}

}  // namespace kscope::host
