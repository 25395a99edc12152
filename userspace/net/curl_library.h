// libcurl, loaded with dlopen the first time an alert sink POSTs or `kscope
// report --prometheus` reads. Linking it mapped ~5.5 MB (libcurl and its
// TLS, Kerberos, LDAP and SSH libraries) into every `kscope run`, though only
// webhook and Alertmanager sinks use it there.
//
// <curl/curl.h> supplies the types and constants only: the functions are
// called through the table below, whose member names differ from curl's so
// that curl's type-checking macros (which are named like the functions)
// never apply to them.
#pragma once

#include <curl/curl.h>

#include "common/result.h"

namespace kscope {

// The libcurl functions kscope uses, resolved from one loaded library.
struct CurlLibrary {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;  // variadic, like curl's
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;  // variadic
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
};

// The soname curl_library() loads: libcurl4 on Debian.
inline constexpr const char* kCurlSoname = "libcurl.so.4";

// dlopens `soname`, resolves every member of the table and calls
// curl_global_init. The library is never closed. An error names the library
// and carries dlerror(). Not cached: curl_library() is what callers use; this
// is for tests.
Result<CurlLibrary> load_curl_library(const char* soname);

// The process-wide table: loaded on the first call (thread-safe, once),
// then the same table, or the same error, for every later call. The table
// stays valid for the life of the process.
Result<const CurlLibrary*> curl_library();

}  // namespace kscope
