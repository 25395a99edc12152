#include "loader/bpf_support.h"

#include <fstream>

#include <bpf/bpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace kscope {
namespace {

std::mutex g_log_mu;
std::string g_last_log;
bool g_verbose = false;

int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  char buf[4096];
  int n = std::vsnprintf(buf, sizeof(buf), fmt, args);
  if (n <= 0) return 0;
  std::string line(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
  {
    std::lock_guard lock(g_log_mu);
    // Keep a bounded tail: the verifier log can be megabytes.
    g_last_log += line;
    if (g_last_log.size() > 64 * 1024) g_last_log.erase(0, g_last_log.size() - 64 * 1024);
  }
  while (!line.empty() && line.back() == '\n') line.pop_back();
  if (level == LIBBPF_DEBUG) {
    spdlog::trace("libbpf: {}", line);
  } else if (g_verbose) {
    spdlog::debug("libbpf: {}", line);
  }
  return n;
}

}  // namespace

void install_libbpf_logging(bool verbose) {
  g_verbose = verbose;
  libbpf_set_print(libbpf_print);
}

std::string last_libbpf_log() {
  std::lock_guard lock(g_log_mu);
  return g_last_log;
}

void clear_libbpf_log() {
  std::lock_guard lock(g_log_mu);
  g_last_log.clear();
}

BpfStatsEnabler::BpfStatsEnabler() : fd_(bpf_enable_stats(BPF_STATS_RUN_TIME)) {
  if (fd_ < 0) spdlog::warn("bpf run-time statistics unavailable: {}", std::strerror(-fd_));
}

BpfStatsEnabler::~BpfStatsEnabler() {
  if (fd_ >= 0) close(fd_);
}

bool bpf_stats_sysctl_enabled() {
  std::ifstream in("/proc/sys/kernel/bpf_stats_enabled");
  int v = 0;
  return static_cast<bool>(in >> v) && v != 0;
}

std::vector<ProgramStats> object_program_stats(const bpf_object* obj) {
  std::vector<ProgramStats> out;
  if (obj == nullptr) return out;
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    int fd = bpf_program__fd(prog);
    if (fd < 0) continue;
    bpf_prog_info info = {};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) continue;
    const char* section = bpf_program__section_name(prog);
    out.push_back({bpf_program__name(prog), info.run_cnt, info.run_time_ns,
                   program_hook(section != nullptr ? section : "")});
  }
  return out;
}

int possible_cpus() {
  static const int n = libbpf_num_possible_cpus();
  return n > 0 ? n : 1;
}

uint64_t percpu_u64_sum(const bpf_map* map, uint32_t slot) {
  std::vector<uint64_t> values(static_cast<size_t>(possible_cpus()), 0);
  if (bpf_map__lookup_elem(map, &slot, sizeof(slot), values.data(), values.size() * sizeof(uint64_t), 0) != 0) {
    return 0;
  }
  uint64_t sum = 0;
  for (uint64_t v : values) sum += v;
  return sum;
}

}  // namespace kscope
