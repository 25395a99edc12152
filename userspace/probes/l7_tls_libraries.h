// Finding the OpenSSL libraries (libssl) that the l7 probe's TLS uprobes
// attach to (bpf/l7_tls.bpf.h). A uprobe is set on a file, so one attach
// covers every process that maps that file, now and later; a process that
// uses another copy (another container image's, a vendored one) needs that
// copy attached too. The files are found in what running processes map
// (/proc/PID/maps, each path opened through /proc/PID/root, so a container's
// files are reached from the host) and in the dynamic loader's usual
// directories, and told apart by device and inode.
//
// /proc is read as hostile input: every file and line is bounded, a path is
// used only if it is absolute and its file is a regular file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kscope {

struct TlsLibrary {
  std::string path;  // openable from here (through /proc/PID/root for a process's)
  uint64_t dev = 0;
  uint64_t ino = 0;
  friend bool operator==(const TlsLibrary&, const TlsLibrary&) = default;
};

// The file path of one /proc/PID/maps line if it maps a libssl
// (libssl.so.3, libssl.so.1.1); nullopt for anything else, a deleted file,
// or a line that does not parse.
std::optional<std::string> libssl_path_in_maps_line(std::string_view line);

// Whether a file name (no directory) is one of the libssl sonames hooked.
bool is_libssl_name(std::string_view name);

// The distinct libssl files process `pid` maps (proc_root: /proc).
std::vector<TlsLibrary> libssl_of_process(const std::string& proc_root, uint32_t pid);

// The distinct libssl files mapped by any process (at most `max_pids`
// processes are read; `*truncated` says whether there were more), or only
// by `only_tgid` when it is not 0.
std::vector<TlsLibrary> libssl_of_processes(const std::string& proc_root, uint32_t only_tgid, size_t max_pids,
                                            bool* truncated);

// The system's libssl files in the dynamic loader's usual directories.
std::vector<TlsLibrary> system_libssl();

}  // namespace kscope
