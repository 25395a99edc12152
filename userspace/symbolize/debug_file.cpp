#include "symbolize/debug_file.h"

#include <unistd.h>
#include <zlib.h>

#include <cerrno>

#include "common/file_read.h"

namespace kscope {

namespace {

std::optional<uint32_t> file_crc32(int fd) {
  uLong crc = crc32(0L, Z_NULL, 0);
  unsigned char buf[1 << 16];
  off_t pos = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof(buf), pos);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    crc = crc32(crc, buf, static_cast<uInt>(n));
    pos += n;
  }
  return static_cast<uint32_t>(crc);
}

std::optional<ElfFile> open_if(const std::string& path, const std::string& want_build_id,
                               std::optional<uint32_t> want_crc) {
  auto fd = open_regular_file(path);
  if (!fd) return std::nullopt;
  if (want_crc && file_crc32(fd->get()) != want_crc) return std::nullopt;
  auto file = ElfFile::from_fd(std::move(*fd), path);
  if (!file) return std::nullopt;
  if (!want_build_id.empty()) {
    std::string id = file->build_id();
    if (!id.empty() && id != want_build_id) return std::nullopt;
  }
  return std::move(*file);
}

}  // namespace

std::optional<ElfFile> find_debug_file(const ElfFile& binary, const std::string& build_id,
                                       const std::string& binary_path,
                                       const DebugFileSearch& search) {
  if (build_id.size() > 2) {
    std::string rel = "/.build-id/" + build_id.substr(0, 2) + "/" + build_id.substr(2) + ".debug";
    for (const auto& root : search.roots) {
      for (const auto& dir : search.debug_dirs) {
        if (auto f = open_if(root + dir + rel, build_id, std::nullopt)) return f;
      }
    }
  }
  auto link = binary.debug_link();
  size_t slash = binary_path.rfind('/');
  if (!link || slash == std::string::npos) return std::nullopt;
  std::string folder = binary_path.substr(0, slash);  // "" for a file in "/"
  for (const auto& root : search.roots) {
    std::vector<std::string> candidates{root + folder + "/" + link->name,
                                        root + folder + "/.debug/" + link->name};
    for (const auto& dir : search.debug_dirs) {
      candidates.push_back(root + dir + folder + "/" + link->name);
    }
    for (const auto& candidate : candidates) {
      // The binary itself carries the link, and would match its own build-id.
      if (candidate == root + binary_path) continue;
      if (auto f = open_if(candidate, build_id, link->crc)) return f;
    }
  }
  return std::nullopt;
}

}  // namespace kscope
