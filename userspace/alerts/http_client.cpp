#include "alerts/http_client.h"

#include <cctype>
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

void apply_tls_options(void* curl_handle, const TlsOptions& tls) {
  auto loaded = curl_library();
  if (!loaded) return;
  const CurlLibrary& lib = **loaded;
  CURL* c = static_cast<CURL*>(curl_handle);
  if (!tls.ca_file.empty()) lib.easy_setopt(c, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (tls.insecure) {
    lib.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    lib.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

std::string redact_url(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return "<url>";
  auto path = url.find_first_of("/?#", scheme + 3);
  std::string_view authority = url.substr(scheme + 3, path == std::string_view::npos ? url.npos : path - scheme - 3);
  // user:password@host
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string out = std::string(url.substr(0, scheme + 3)) + std::string(authority);
  if (path != std::string_view::npos && path + 1 < url.size()) out += "/…";
  return out;
}

Status http_post_expect_2xx(const std::string& url, std::string_view shown, const std::string& body,
                            const std::vector<std::string>& headers, Nanos timeout, const TlsOptions& tls) {
  auto r = http_post_json(url, body, headers, timeout, tls);
  if (!r) {
    std::string msg = r.error().message();
    // curl's messages may quote the URL.
    for (auto at = msg.find(url); at != std::string::npos; at = msg.find(url, at + shown.size())) {
      msg.replace(at, url.size(), shown);
    }
    return Error(msg, r.error().hint());
  }
  if (r->status < 200 || r->status >= 300) {
    std::string snippet = r->body.substr(0, 200);
    while (!snippet.empty() && std::isspace(static_cast<unsigned char>(snippet.back()))) snippet.pop_back();
    return Error("POST " + std::string(shown) + " answered HTTP " + std::to_string(r->status) +
                 (snippet.empty() ? "" : ": " + snippet));
  }
  return ok_status();
}

Result<HttpPostResult> http_post_json(const std::string& url, const std::string& body,
                                      const std::vector<std::string>& headers, Nanos timeout, const TlsOptions& tls) {
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
  apply_tls_options(c, tls);
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
