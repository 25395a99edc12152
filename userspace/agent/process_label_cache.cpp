#include "agent/process_label_cache.h"

#include <string_view>

#include "common/file_read.h"

namespace kscope {
namespace {

// comm is at most 16 bytes; /proc/PID/cgroup has a line per v1 hierarchy.
constexpr size_t kMaxCommFile = 64;
constexpr size_t kMaxCgroupFile = 64 * 1024;

std::string_view trim_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The cgroup v2 path ("0::/system.slice/nginx.service") of a
// /proc/PID/cgroup text, as the cgroup breakdown names targets.
std::string unified_path(std::string_view text) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.starts_with("0::")) return std::string(trim_newline(line.substr(3)));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return kUnknownProcess;
}

}  // namespace

requests::ProcessLabels ProcessLabelCache::read(uint32_t tgid) const {
  const std::string dir = proc_root_ + "/" + std::to_string(tgid);
  requests::ProcessLabels out;
  auto comm = read_file_bounded(dir + "/comm", kMaxCommFile);
  out.service = comm ? std::string(trim_newline(*comm)) : kUnknownProcess;
  if (breakdown_ == Breakdown::kComm) {
    out.breakdown = out.service;
  } else if (breakdown_ == Breakdown::kCgroup) {
    auto cgroup = read_file_bounded(dir + "/cgroup", kMaxCgroupFile);
    out.breakdown = cgroup ? unified_path(*cgroup) : kUnknownProcess;
  }
  return out;
}

void ProcessLabelCache::on_open(uint32_t tgid, uint32_t parent_tgid, std::string_view comm) {
  auto it = cache_.find(tgid);
  if (it == cache_.end()) {
    if (cache_.size() >= max_) return;  // read when its requests come
    requests::ProcessLabels l = read(tgid);
    if (l.service == kUnknownProcess && parent_tgid != 0) l = labels(parent_tgid);
    if (l.service == kUnknownProcess && !comm.empty()) {
      l.service = comm;
      if (breakdown_ == Breakdown::kComm) l.breakdown = comm;
    }
    it = cache_.emplace(tgid, Entry{std::move(l), 0}).first;
  }
  ++it->second.open;
}

void ProcessLabelCache::on_close(uint32_t tgid) {
  auto it = cache_.find(tgid);
  if (it == cache_.end()) return;
  if (--it->second.open == 0) cache_.erase(it);
}

requests::ProcessLabels ProcessLabelCache::labels(uint32_t tgid) {
  auto it = cache_.find(tgid);
  return it != cache_.end() ? it->second.labels : read(tgid);
}

}  // namespace kscope
