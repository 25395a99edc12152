#include "alerts/http_client.h"

#include <memory>

#include "alerts/curl_library.h"

namespace kscope {
namespace {

size_t collect_body(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t len = size * n;
  if (out->size() < 4096) out->append(data, std::min(len, 4096 - out->size()));
  return len;
}

}  // namespace

Result<HttpPostResult> http_post_json(const std::string& url, const std::string& body,
                                      const std::vector<std::string>& headers, Nanos timeout) {
  auto loaded = curl_library();
  if (!loaded) return loaded.error();
  const CurlLibrary& lib = **loaded;
  std::unique_ptr<CURL, decltype(lib.easy_cleanup)> curl(lib.easy_init(), lib.easy_cleanup);
  if (!curl) return Error("cannot create an HTTP client handle");
  curl_slist* list = lib.slist_append(nullptr, "Content-Type: application/json");
  for (const auto& h : headers) list = lib.slist_append(list, h.c_str());
  std::unique_ptr<curl_slist, decltype(lib.slist_free_all)> hdrs(list, lib.slist_free_all);
  HttpPostResult r;
  CURL* c = curl.get();
  // curl_easy_setopt is variadic: each value has exactly the type curl reads
  // for its option (long, curl_off_t, a pointer, a callback).
  lib.easy_setopt(c, CURLOPT_URL, url.c_str());
  lib.easy_setopt(c, CURLOPT_POST, 1L);
  lib.easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  lib.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  lib.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs.get());
  lib.easy_setopt(c, CURLOPT_TIMEOUT_MS,
                  static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
  lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS timeouts
  lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect_body);
  lib.easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  char errbuf[CURL_ERROR_SIZE] = {0};
  lib.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = lib.easy_perform(c);
  if (rc != CURLE_OK) {
    return Error("POST " + url + " failed: " + (errbuf[0] ? std::string(errbuf) : lib.easy_strerror(rc)));
  }
  lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

}  // namespace kscope
