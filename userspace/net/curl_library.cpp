#include "net/curl_library.h"

#include <dlfcn.h>

#include <mutex>
#include <optional>
#include <string>

namespace kscope {
namespace {

std::string dl_error() {
  const char* e = dlerror();
  return e != nullptr ? e : "unknown dlerror";
}

Error load_error(const char* soname, const std::string& what) {
  return Error(std::string("webhook and alertmanager sinks and report --prometheus need ") + soname + ": " + what,
               "install the Debian package libcurl4");
}

template <class Fn>
bool resolve(void* handle, const char* name, Fn& out) {
  dlerror();  // clear any earlier error
  out = reinterpret_cast<Fn>(dlsym(handle, name));
  return out != nullptr;
}

}  // namespace

Result<CurlLibrary> load_curl_library(const char* soname) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return load_error(soname, dl_error());
  CurlLibrary lib;
  bool ok = resolve(handle, "curl_global_init", lib.global_init) &&
            resolve(handle, "curl_easy_init", lib.easy_init) &&
            resolve(handle, "curl_easy_cleanup", lib.easy_cleanup) &&
            resolve(handle, "curl_easy_setopt", lib.easy_setopt) &&
            resolve(handle, "curl_easy_perform", lib.easy_perform) &&
            resolve(handle, "curl_easy_getinfo", lib.easy_getinfo) &&
            resolve(handle, "curl_easy_strerror", lib.easy_strerror) &&
            resolve(handle, "curl_slist_append", lib.slist_append) &&
            resolve(handle, "curl_slist_free_all", lib.slist_free_all);
  if (!ok) {
    Error e = load_error(soname, dl_error());
    dlclose(handle);
    return e;
  }
  CURLcode rc = lib.global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    return load_error(soname, std::string("curl_global_init failed: ") + lib.easy_strerror(rc));
  }
  return lib;  // the handle stays open: the table points into it
}

Result<const CurlLibrary*> curl_library() {
  static std::once_flag once;
  static std::optional<Result<CurlLibrary>> loaded;
  std::call_once(once, [] { loaded.emplace(load_curl_library(kCurlSoname)); });
  if (!*loaded) return (*loaded).error();
  return &(*loaded).value();
}

}  // namespace kscope
