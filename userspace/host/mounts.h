// /proc/self/mounts and which of its filesystems hold data: the list the
// filesystem families (node_filesystem_*) are read for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kscope::host {

// Filesystems kept from one read; container hosts can have thousands of
// mounts, the rest are counted in `dropped`.
inline constexpr size_t kMaxFilesystems = 256;

struct Mount {
  std::string device;      // decoded: the kernel writes ' ', '\t', '\n' and '\\' as \ooo
  std::string mountpoint;  // decoded
  std::string fstype;
  bool readonly = false;   // "ro" among the mount options
};

struct Mounts {
  std::vector<Mount> mounts;
  size_t dropped = 0;  // real filesystems past kMaxFilesystems
};

// The kernel's octal escapes (\040 space, \011 tab, \012 newline, \134
// backslash) decoded; anything else, a lone or malformed '\' included, kept.
std::string decode_mount_field(std::string_view field);

// Pseudo and virtual filesystems node_exporter leaves out by default: by type
// (proc, sysfs, cgroup, overlay, squashfs, ...) and by mount point (/dev,
// /proc, /sys and below, /run/credentials/*, /var/lib/docker/*,
// /var/lib/containers/storage/*).
bool is_pseudo_filesystem(const Mount& m);

// The real filesystems, each (device, mount point) once (a mount seen twice,
// as /dev/shm bind-mounted into a namespace often is, keeps its first line).
Mounts parse_mounts(std::string_view text);

}  // namespace kscope::host
