#include "collect/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace kscope {
namespace {

std::optional<std::string> read_text(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Seconds since the epoch at which the machine booted.
std::optional<double> boot_time_seconds() {
  auto stat = read_text("/proc/stat");
  if (!stat) return std::nullopt;
  auto at = stat->find("\nbtime ");
  if (at == std::string::npos) return std::nullopt;
  return std::strtod(stat->c_str() + at + 7, nullptr);
}

size_t open_fds() {
  size_t n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n >= 3 ? n - 3 : 0;  // ".", ".." and the directory's own fd
}

}  // namespace

std::optional<ProcessStat> parse_proc_stat(std::string_view text) {
  auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // Fields from 3 (state) on, 1-based as in proc(5).
  std::vector<std::string_view> fields;
  size_t i = close + 1;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  auto field = [&](size_t n, uint64_t& out) {  // n: proc(5) field number
    if (n < 3 || n - 3 >= fields.size()) return false;
    auto f = fields[n - 3];
    return std::from_chars(f.data(), f.data() + f.size(), out).ec == std::errc();
  };
  ProcessStat s;
  if (!field(14, s.utime_ticks) || !field(15, s.stime_ticks) || !field(20, s.threads) ||
      !field(22, s.start_ticks) || !field(23, s.vsize_bytes) || !field(24, s.rss_pages)) {
    return std::nullopt;
  }
  return s;
}

void append_process_metrics(std::vector<Family>& out) {
  auto text = read_text("/proc/self/stat");
  auto stat = text ? parse_proc_stat(*text) : std::nullopt;
  if (stat) {
    double ticks = double(sysconf(_SC_CLK_TCK));
    double page = double(sysconf(_SC_PAGESIZE));
    out.push_back({"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                   MetricType::kCounter, {{{}, double(stat->utime_ticks + stat->stime_ticks) / ticks, {}}}});
    out.push_back({"process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge,
                   {{{}, double(stat->rss_pages) * page, {}}}});
    out.push_back({"process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::kGauge,
                   {{{}, double(stat->vsize_bytes), {}}}});
    out.push_back({"process_threads", "Number of OS threads in the process.", MetricType::kGauge,
                   {{{}, double(stat->threads), {}}}});
    static const std::optional<double> boot = boot_time_seconds();  // fixed while the machine runs
    if (boot) {
      out.push_back({"process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                     MetricType::kGauge, {{{}, *boot + double(stat->start_ticks) / ticks, {}}}});
    }
  }
  out.push_back({"process_open_fds", "Number of open file descriptors.", MetricType::kGauge,
                 {{{}, double(open_fds()), {}}}});
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    out.push_back({"process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge,
                   {{{}, double(lim.rlim_cur), {}}}});
  }
}

}  // namespace kscope
