#include "host/mounts.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "host/text_fields.h"

namespace kscope::host {
namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// node_exporter's default --collector.filesystem.fs-types-exclude.
constexpr std::array<std::string_view, 25> kPseudoTypes = {
    "autofs",  "binfmt_misc", "bpf",        "cgroup",     "cgroup2",   "configfs", "debugfs",
    "devpts",  "devtmpfs",    "fusectl",    "hugetlbfs",  "iso9660",   "mqueue",   "nsfs",
    "overlay", "proc",        "procfs",     "pstore",     "rpc_pipefs", "securityfs", "selinuxfs",
    "squashfs", "erofs",      "sysfs",      "tracefs"};

// "^/(dev|proc|sys)($|/)" of node_exporter's mount point exclusion.
bool is_or_under(std::string_view path, std::string_view dir) {
  return path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

// "^/(run/credentials/.+|var/lib/docker/.+|...)": strictly below the folder.
bool strictly_under(std::string_view path, std::string_view dir_slash) {
  return path.starts_with(dir_slash) && path.size() > dir_slash.size();
}

bool has_option(std::string_view options, std::string_view name) {
  while (!options.empty()) {
    size_t comma = options.find(',');
    if (options.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    options.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string decode_mount_field(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && is_octal(field[i + 1]) && is_octal(field[i + 2]) &&
        is_octal(field[i + 3])) {
      int v = (field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0');
      if (v <= 0xff) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

bool is_pseudo_filesystem(const Mount& m) {
  auto in = [&](const auto& list) { return std::find(list.begin(), list.end(), m.fstype) != list.end(); };
  if (in(kPseudoTypes)) return true;
  const std::string& p = m.mountpoint;
  return is_or_under(p, "/dev") || is_or_under(p, "/proc") || is_or_under(p, "/sys") ||
         strictly_under(p, "/run/credentials/") || strictly_under(p, "/var/lib/docker/") ||
         strictly_under(p, "/var/lib/containers/storage/");
}

Mounts parse_mounts(std::string_view text) {
  Mounts out;
  std::set<std::pair<std::string, std::string>> seen;
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    std::string_view rest = line;
    std::string_view device = next_field(rest);
    std::string_view mountpoint = next_field(rest);
    std::string_view fstype = next_field(rest);
    std::string_view options = next_field(rest);
    if (device.empty() || mountpoint.empty() || fstype.empty()) return;
    Mount m{decode_mount_field(device), decode_mount_field(mountpoint), decode_mount_field(fstype),
            has_option(options, "ro")};
    if (is_pseudo_filesystem(m)) return;
    if (!seen.emplace(m.device, m.mountpoint).second) return;
    if (out.mounts.size() >= kMaxFilesystems) {
      ++out.dropped;
      return;
    }
    out.mounts.push_back(std::move(m));
  });
  return out;
}

}  // namespace kscope::host
