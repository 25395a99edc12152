#include "model/target_labels.h"

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace kscope {

std::string CgroupPaths::cgroup2_mount() {
  std::ifstream in("/proc/mounts");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string dev, mount_point, type;
    if (fields >> dev >> mount_point >> type && type == "cgroup2") return mount_point;
  }
  return "/sys/fs/cgroup";
}

std::string CgroupPaths::memory_mount(const std::string& mounts_file) {
  std::ifstream in(mounts_file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string dev, mount_point, type, options;
    if (!(fields >> dev >> mount_point >> type >> options) || type != "cgroup") continue;
    std::istringstream opts(options);
    for (std::string opt; std::getline(opts, opt, ',');) {
      if (opt == "memory") return mount_point;
    }
  }
  return cgroup2_mount();
}

std::string CgroupPaths::path(uint64_t id, Clock::time_point now) {
  auto it = cache_.find(id);
  if (it == cache_.end()) {
    rescan(now);
    it = cache_.find(id);
  }
  if (it == cache_.end()) {
    // Remember misses too, so a vanished cgroup costs one scan, not one per
    // interval.
    it = cache_.emplace(id, Entry{"cgroup:" + std::to_string(id), now, 0}).first;
  }
  it->second.used = now;
  return it->second.path;
}

uint64_t CgroupPaths::id_of(const std::string& path) const {
  struct stat st;
  std::string full = root_ + (path.empty() || path[0] != '/' ? "/" : "") + path;
  if (stat(full.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

void CgroupPaths::rescan(Clock::time_point now) {
  namespace fs = std::filesystem;
  const uint64_t scan = ++scans_;
  auto found = [&](uint64_t id, std::string path) {
    Entry& e = cache_[id];
    e.path = std::move(path);
    e.scan = scan;
  };
  std::error_code ec;
  struct stat st;
  if (stat(root_.c_str(), &st) == 0) found(st.st_ino, "/");
  for (auto it = fs::recursive_directory_iterator(root_, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    if (stat(it->path().c_str(), &st) != 0) continue;
    std::string rel = it->path().string().substr(root_.size());
    found(st.st_ino, rel.empty() ? "/" : rel);
  }
  std::erase_if(cache_, [&](const auto& kv) { return kv.second.scan != scan && now - kv.second.used > forget_after_; });
}

std::string TargetLabeler::value(const kscope_target& t, bool other) {
  if (other) return "other";
  switch (breakdown_) {
    case Breakdown::kComm: return std::string(t.comm, strnlen(t.comm, sizeof(t.comm)));
    case Breakdown::kCgroup: return cgroups_.path(t.cgroup_id);
    case Breakdown::kNone: break;
  }
  return "";
}

Labels TargetLabeler::labels(const kscope_target& t, uint32_t key_flags) {
  Labels out;
  if (label_name().empty()) return out;
  const bool other = (key_flags & KSCOPE_KEY_OTHER) != 0;
  out.emplace_back(label_name(), value(t, other));
  if (!other && (key_flags & KSCOPE_KEY_KERNEL) != 0) out.emplace_back(kKernelLabel, "true");
  return out;
}

}  // namespace kscope
