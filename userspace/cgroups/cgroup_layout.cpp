#include "cgroups/cgroup_layout.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace kscope {
namespace {

constexpr size_t kMaxMountLines = 4096;

// /proc/self/mounts escapes spaces, tabs, newlines and backslashes as \ooo.
std::string unescape_mount_field(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      out += char((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

bool has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string describe(const CgroupHierarchy& h) {
  return std::string(h.version == CgroupVersion::kV2 ? "cgroup v2 at " : "cgroup v1 at ") + h.root;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

std::string CgroupLayout::mode() const {
  bool v1 = false;
  for (const auto* h : {&cpu_usage, &cpu_throttle, &memory, &io}) v1 = v1 || h->version == CgroupVersion::kV1;
  if (v1) return unified.empty() ? "v1" : "hybrid";
  return unified.empty() ? "none" : "v2";
}

std::vector<std::string> CgroupLayout::roots() const {
  std::vector<std::string> out;
  for (const auto* h : {&cpu_usage, &cpu_throttle, &memory, &io, &pressure}) {
    if (h->found() && !has(out, h->root)) out.push_back(h->root);
  }
  return out;
}

CgroupLayout parse_cgroup_layout(std::string_view mounts, std::string_view unified_controllers,
                                 bool unified_pressure) {
  CgroupLayout layout;
  size_t lines = 0;
  for (auto line : split(mounts, '\n')) {
    if (++lines > kMaxMountLines) break;
    auto f = split(line, ' ');
    if (f.size() < 4) continue;
    std::string dir = unescape_mount_field(f[1]);
    if (f[2] == "cgroup2") {
      // The first cgroup2 mount: a container may see the host's again below.
      if (layout.unified.empty()) layout.unified = dir;
      continue;
    }
    if (f[2] != "cgroup") continue;
    // A v1 hierarchy's options name its controllers: "rw,relatime,cpu,cpuacct".
    for (auto opt : split(f[3], ',')) {
      auto set = [&](CgroupHierarchy& h) {
        if (!h.found()) h = {CgroupVersion::kV1, dir};
      };
      if (opt == "cpuacct") set(layout.cpu_usage);
      else if (opt == "cpu") set(layout.cpu_throttle);
      else if (opt == "memory") set(layout.memory);
      else if (opt == "blkio") set(layout.io);
    }
  }
  if (!layout.unified.empty()) {
    for (auto c : split(unified_controllers, ' ')) {
      while (!c.empty() && (c.back() == '\n' || c.back() == ' ')) c.remove_suffix(1);
      if (!c.empty() && c.size() < 32 && layout.unified_controllers.size() < 32) {
        layout.unified_controllers.emplace_back(c);
      }
    }
    layout.unified_pressure = unified_pressure;
    const CgroupHierarchy v2{CgroupVersion::kV2, layout.unified};
    // cpu.stat's usage_usec is there without the cpu controller (the
    // kernel's base statistics), so on a hybrid host without cpuacct v1
    // the unified hierarchy still gives usage.
    if (!layout.cpu_usage.found()) layout.cpu_usage = v2;
    if (!layout.cpu_throttle.found() && has(layout.unified_controllers, "cpu")) layout.cpu_throttle = v2;
    if (!layout.memory.found() && has(layout.unified_controllers, "memory")) layout.memory = v2;
    if (!layout.io.found() && has(layout.unified_controllers, "io")) layout.io = v2;
    if (unified_pressure) layout.pressure = v2;
  }
  return layout;
}

CgroupLayout discover_cgroup_layout(const std::string& proc_root) {
  std::ifstream in(proc_root + "/self/mounts");
  std::string mounts, line;
  for (size_t n = 0; n < kMaxMountLines && std::getline(in, line); ++n) mounts += line + "\n";
  auto first = parse_cgroup_layout(mounts, "", false);
  if (first.unified.empty()) return first;
  std::string controllers;
  std::ifstream c(first.unified + "/cgroup.controllers");
  std::getline(c, controllers);
  return parse_cgroup_layout(mounts, controllers, exists(first.unified + "/cpu.pressure"));
}

std::vector<SourceStatus> cgroup_sources(const CgroupLayout& layout) {
  std::vector<SourceStatus> out;
  auto add = [&](const char* name, const char* what, const CgroupHierarchy& h, const std::string& missing) {
    if (h.found()) out.push_back({name, true, std::string(what) + ": " + describe(h)});
    else out.push_back({name, false, std::string(what) + ": not found — " + missing});
  };
  const std::string no_v2 = layout.unified.empty() ? "no cgroup v1 mount with it and no cgroup2 mount"
                                                   : "no cgroup v1 mount with it, and the cgroup2 at " +
                                                         layout.unified + " has it disabled";
  add("cgroup.cpu", "cpu usage (cpuacct.usage / cpu.stat usage_usec)", layout.cpu_usage,
      "no cgroup v1 cpuacct mount and no cgroup2 mount");
  add("cgroup.cpu_throttling", "cpu controller (cpu.stat throttling, limits)", layout.cpu_throttle, no_v2);
  add("cgroup.memory", "memory controller", layout.memory, no_v2);
  add("cgroup.io", "io controller (io.stat / blkio.throttle.*)", layout.io, no_v2);
  add("cgroup.pressure", "pressure per cgroup", layout.pressure,
      layout.unified.empty() ? "no cgroup2 mount (cgroup v1 has no pressure files)"
                             : "no cpu.pressure in " + layout.unified + " (kernel booted with psi=0, or without CONFIG_PSI)");
  return out;
}

std::vector<SourceStatus> cgroup_sources() { return cgroup_sources(discover_cgroup_layout()); }

}  // namespace kscope
