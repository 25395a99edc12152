#include "common/thread_caches.h"

#include <sys/auxv.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

#include "common/thread_name.h"

namespace kscope {
namespace {

// Set in the re-executed process: whatever the loader made of the
// tunables, never exec a second time. Its value is the process name (comm)
// from before the exec.
constexpr const char* kReexecMarker = "KSCOPE_REEXECUTED";

}  // namespace

std::string tunables_without_thread_caches(const char* current) {
  const std::string_view now = current != nullptr ? current : "";
  // "glibc.malloc.tcache_count=N" anywhere in the colon-separated list.
  size_t start = 0;
  while (start <= now.size()) {
    size_t end = now.find(':', start);
    if (end == std::string_view::npos) end = now.size();
    if (now.substr(start, end - start).starts_with("glibc.malloc.tcache_count=")) return {};
    start = end + 1;
  }
  std::string out(now);
  if (!out.empty()) out += ':';
  out += "glibc.malloc.tcache_count=0";
  return out;
}

Status reexec_without_thread_caches() {
  if (const char* comm = std::getenv(kReexecMarker); comm != nullptr) {
    // Executed through /proc/self/exe, the kernel named this process "exe":
    // take back the name it had before (the marker carries it).
    name_this_thread(*comm != '\0' ? comm : "kscope");
    unsetenv(kReexecMarker);  // not passed on to what kscope starts
    return ok_status();
  }
  if (getauxval(AT_SECURE) != 0) return ok_status();
  const std::string tunables = tunables_without_thread_caches(std::getenv("GLIBC_TUNABLES"));
  if (tunables.empty()) return ok_status();

  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<char*> argv;
  for (size_t i = 0; i < cmdline.size(); i += std::strlen(cmdline.c_str() + i) + 1) {
    argv.push_back(const_cast<char*>(cmdline.c_str() + i));
  }
  if (argv.empty()) return Error("cannot re-execute with the malloc thread caches off: /proc/self/cmdline is empty");
  argv.push_back(nullptr);
  // /proc/self/exe, not the path: it is this very binary even if the file
  // was replaced or removed since; the name goes along in the marker.
  char comm[16] = {};
  if (prctl(PR_GET_NAME, comm) != 0 || comm[0] == '\0') std::strcpy(comm, "kscope");
  if (setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0 || setenv(kReexecMarker, comm, 1) != 0) {
    return Error("cannot re-execute with the malloc thread caches off: setenv failed", "", errno);
  }
  execv("/proc/self/exe", argv.data());
  const int err = errno;
  unsetenv(kReexecMarker);
  return Error("cannot re-execute with the malloc thread caches off", "kscope runs on with them", err);
}

}  // namespace kscope
