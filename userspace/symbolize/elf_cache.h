// Parsed symbol tables shared by every process that maps the same binary.
// A binary is identified by its build-id when it has one (so the same
// library seen through different containers' roots is read once), else by
// the file's (dev, inode, size, mtime). Not thread-safe: the Symbolizer
// serializes access.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "symbolize/debug_file.h"
#include "symbolize/elf_symbols.h"
#include "common/unique_fd.h"

namespace kscope {

class ElfCache {
 public:
  // Past `max_files` tables the ones no process holds any more are dropped.
  explicit ElfCache(size_t max_files = 2048,
                    std::vector<std::string> debug_dirs = {"/usr/lib/debug"})
      : max_files_(max_files), debug_dirs_(std::move(debug_dirs)) {}

  // The table for the open file `fd` (with fstat `st`) that the process
  // knows as `path_in_process`; `root` is the process's root
  // ("/proc/PID/root") where its debug files are looked for first. nullptr
  // when the file is not usable ELF; that answer is cached too.
  std::shared_ptr<const ElfSymbolTable> get(UniqueFd fd, const struct stat& st,
                                            const std::string& path_in_process,
                                            const std::string& root);

  size_t size() const { return by_file_.size(); }
  uint64_t files_parsed() const { return files_parsed_; }

 private:
  struct FileKey {
    uint64_t dev, ino, size;
    int64_t mtime_sec, mtime_nsec;
    bool operator==(const FileKey&) const = default;
  };
  struct FileKeyHash {
    size_t operator()(const FileKey& k) const {
      return std::hash<uint64_t>()(k.dev * 0x9e3779b97f4a7c15ULL ^ k.ino ^ (k.size << 17) ^
                                   static_cast<uint64_t>(k.mtime_nsec));
    }
  };
  void evict_unused();

  size_t max_files_;
  std::vector<std::string> debug_dirs_;
  std::unordered_map<FileKey, std::shared_ptr<const ElfSymbolTable>, FileKeyHash> by_file_;
  std::unordered_map<std::string, std::weak_ptr<const ElfSymbolTable>> by_build_id_;
  uint64_t files_parsed_ = 0;
};

}  // namespace kscope
