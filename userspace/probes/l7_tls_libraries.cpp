#include "probes/l7_tls_libraries.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fstream>

namespace kscope {
namespace {

constexpr size_t kMaxMapsLines = 65536;  // a process with more mappings is read only that far
constexpr size_t kMaxPathBytes = 4096;
constexpr std::string_view kDeleted = " (deleted)";

// The directories ld.so searches by default, and the multiarch ones Debian
// and Ubuntu use.
constexpr std::array<const char*, 10> kLoaderDirs = {
    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
    "/lib64",                "/usr/lib64",                "/lib",                   "/usr/lib",
    "/usr/local/lib",        "/usr/local/lib64"};
constexpr std::array<const char*, 2> kSonames = {"libssl.so.3", "libssl.so.1.1"};

// Stats `path`: a regular file's identity, nullopt otherwise.
std::optional<TlsLibrary> regular_file(const std::string& path) {
  struct stat st {};
  if (path.size() > kMaxPathBytes || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return TlsLibrary{path, uint64_t(st.st_dev), uint64_t(st.st_ino)};
}

void add_unique(std::vector<TlsLibrary>& out, TlsLibrary lib) {
  auto same = [&](const TlsLibrary& l) { return l.dev == lib.dev && l.ino == lib.ino; };
  if (std::none_of(out.begin(), out.end(), same)) out.push_back(std::move(lib));
}

}  // namespace

bool is_libssl_name(std::string_view name) {
  return std::any_of(kSonames.begin(), kSonames.end(), [&](const char* s) { return name == s; });
}

std::optional<std::string> libssl_path_in_maps_line(std::string_view line) {
  // address perms offset dev inode [path]; the path is the rest after the
  // padding, and may hold spaces.
  size_t i = 0;
  for (int field = 0; field < 5; ++field) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i == start) return std::nullopt;
  }
  while (i < line.size() && line[i] == ' ') ++i;
  std::string_view path = line.substr(i);
  if (path.empty() || path.front() != '/' || path.size() > kMaxPathBytes) return std::nullopt;
  if (path.size() >= kDeleted.size() && path.substr(path.size() - kDeleted.size()) == kDeleted) return std::nullopt;
  const size_t slash = path.rfind('/');
  if (!is_libssl_name(path.substr(slash + 1))) return std::nullopt;
  return std::string(path);
}

std::vector<TlsLibrary> libssl_of_process(const std::string& proc_root, uint32_t pid) {
  std::vector<TlsLibrary> out;
  const std::string base = proc_root + "/" + std::to_string(pid);
  std::ifstream in(base + "/maps");
  std::string line;
  std::vector<std::string> seen;  // a library maps several segments
  for (size_t lines = 0; lines < kMaxMapsLines && std::getline(in, line); ++lines) {
    auto path = libssl_path_in_maps_line(line);
    if (!path || std::find(seen.begin(), seen.end(), *path) != seen.end()) continue;
    seen.push_back(*path);
    // The process's own view of the file system (its container's).
    if (auto lib = regular_file(base + "/root" + *path)) add_unique(out, std::move(*lib));
  }
  return out;
}

std::vector<TlsLibrary> libssl_of_processes(const std::string& proc_root, uint32_t only_tgid, size_t max_pids,
                                            bool* truncated) {
  std::vector<TlsLibrary> out;
  *truncated = false;
  std::vector<uint32_t> pids;
  if (only_tgid != 0) {
    pids.push_back(only_tgid);
  } else if (DIR* d = opendir(proc_root.c_str())) {
    while (dirent* e = readdir(d)) {
      uint32_t v = 0;
      const char* end = e->d_name + std::strlen(e->d_name);
      auto [p, ec] = std::from_chars(e->d_name, end, v);
      if (ec != std::errc() || p != end) continue;
      if (pids.size() >= max_pids) {
        *truncated = true;
        break;
      }
      pids.push_back(v);
    }
    closedir(d);
  }
  for (uint32_t pid : pids) {
    for (auto& lib : libssl_of_process(proc_root, pid)) add_unique(out, std::move(lib));
  }
  return out;
}

std::vector<TlsLibrary> system_libssl() {
  std::vector<TlsLibrary> out;
  for (const char* dir : kLoaderDirs) {
    for (const char* name : kSonames) {
      if (auto lib = regular_file(std::string(dir) + "/" + name)) add_unique(out, std::move(*lib));
    }
  }
  return out;
}

}  // namespace kscope
