#include "probes/syscall_names.h"

#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kscope {
namespace {

struct Row {
  uint32_t nr;
  const char* name;
};

constexpr Row kSyscalls[] = {
#include "syscall_table.inc"
};

const std::unordered_map<uint32_t, std::string>& by_number() {
  static const auto* m = [] {
    auto* out = new std::unordered_map<uint32_t, std::string>();
    for (const auto& r : kSyscalls) out->emplace(r.nr, r.name);
    return out;
  }();
  return *m;
}

}  // namespace

std::string syscall_name(uint32_t nr) {
  auto it = by_number().find(nr);
  if (it != by_number().end()) return it->second;
  return "syscall_" + std::to_string(nr);
}

std::optional<uint32_t> syscall_number(std::string_view name) {
  for (const auto& r : kSyscalls) {
    if (name == r.name) return r.nr;
  }
  return std::nullopt;
}

bool syscall_returns_bytes(std::string_view name) {
  static const std::unordered_set<std::string_view> kBytes = {
      "read",    "write",    "pread64",  "pwrite64", "readv",   "writev",   "preadv",
      "pwritev", "preadv2",  "pwritev2", "sendto",   "recvfrom", "sendmsg", "recvmsg",
      "sendfile", "splice",  "tee",      "copy_file_range", "vmsplice", "sendmmsg", "recvmmsg"};
  return kBytes.count(name) != 0;
}

std::string errno_name(uint32_t err) {
  const char* name = strerrorname_np(static_cast<int>(err));
  if (name != nullptr) return name;
  return "E" + std::to_string(err);
}

}  // namespace kscope
