#include "symbolize/elf_cache.h"

#include <spdlog/spdlog.h>

#include "common/escape.h"

namespace kscope {

std::shared_ptr<const ElfSymbolTable> ElfCache::get(UniqueFd fd, const struct stat& st,
                                                    const std::string& path_in_process,
                                                    const std::string& root) {
  FileKey key{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
              static_cast<uint64_t>(st.st_size), st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
  if (auto it = by_file_.find(key); it != by_file_.end()) return it->second;
  if (by_file_.size() >= max_files_) evict_unused();

  auto file = ElfFile::from_fd(std::move(fd), path_in_process);
  if (!file) {
    spdlog::debug("symbolize: skipping file={} reason={}", printable(path_in_process),
                  printable(file.error().to_string()));
    by_file_.emplace(key, nullptr);
    return nullptr;
  }
  std::string build_id = file->build_id();
  if (!build_id.empty()) {
    if (auto it = by_build_id_.find(build_id); it != by_build_id_.end()) {
      if (auto table = it->second.lock()) {
        by_file_.emplace(key, table);
        return table;
      }
    }
  }
  ++files_parsed_;
  auto table = std::make_shared<ElfSymbolTable>(ElfSymbolTable::build(*file));
  if (!table->has_symtab()) {
    DebugFileSearch search{{root, ""}, debug_dirs_};
    if (auto debug = find_debug_file(*file, build_id, path_in_process, search)) {
      table = std::make_shared<ElfSymbolTable>(ElfSymbolTable::build(*file, &*debug));
    }
  }
  by_file_.emplace(key, table);
  if (!build_id.empty()) by_build_id_[build_id] = table;
  return table;
}

void ElfCache::evict_unused() {
  // A table some process still holds costs nothing extra to keep indexed.
  for (auto it = by_file_.begin(); it != by_file_.end();) {
    it = it->second.use_count() <= 1 ? by_file_.erase(it) : std::next(it);
  }
  for (auto it = by_build_id_.begin(); it != by_build_id_.end();) {
    it = it->second.expired() ? by_build_id_.erase(it) : std::next(it);
  }
}

}  // namespace kscope
