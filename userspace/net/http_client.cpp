#include "net/http_client.h"

#include <cctype>
#include <memory>

#include "net/curl_library.h"

namespace kscope {
namespace {

struct BodySink {
  std::string* out;
  size_t max;
  bool truncated = false;  // POST: keep the head; GET: abort past max
  bool abort_past_max = false;
};

size_t collect_body(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  size_t len = size * n;
  if (sink->out->size() + len > sink->max) {
    sink->truncated = true;
    if (sink->abort_past_max) return 0;  // curl stops with CURLE_WRITE_ERROR
    sink->out->append(data, sink->max - sink->out->size());
    return len;
  }
  sink->out->append(data, len);
  return len;
}

using CurlHandle = std::unique_ptr<CURL, decltype(CurlLibrary::easy_cleanup)>;

// The options every request shares. curl_easy_setopt is variadic: each
// value has exactly the type curl reads for its option (long, a pointer, a
// callback).
void common_options(const CurlLibrary& lib, CURL* c, const std::string& url, curl_slist* headers, Nanos timeout,
                    BodySink* sink, char* errbuf) {
  lib.easy_setopt(c, CURLOPT_URL, url.c_str());
  lib.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  lib.easy_setopt(c, CURLOPT_TIMEOUT_MS,
                  static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
  lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS timeouts
  lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect_body);
  lib.easy_setopt(c, CURLOPT_WRITEDATA, sink);
  lib.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
}

curl_slist* header_list(const CurlLibrary& lib, curl_slist* list, const std::vector<std::string>& headers) {
  for (const auto& h : headers) list = lib.slist_append(list, h.c_str());
  return list;
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
  CurlHandle curl(lib.easy_init(), lib.easy_cleanup);
  if (!curl) return Error("cannot create an HTTP client handle");
  std::unique_ptr<curl_slist, decltype(lib.slist_free_all)> hdrs(
      header_list(lib, lib.slist_append(nullptr, "Content-Type: application/json"), headers), lib.slist_free_all);
  HttpPostResult r;
  BodySink sink{&r.body, 4096};
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  common_options(lib, c, url, hdrs.get(), timeout, &sink, errbuf);
  lib.easy_setopt(c, CURLOPT_POST, 1L);
  lib.easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  lib.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  apply_tls_options(c, tls);
  CURLcode rc = lib.easy_perform(c);
  if (rc != CURLE_OK) {
    return Error("POST " + url + " failed: " + (errbuf[0] ? std::string(errbuf) : lib.easy_strerror(rc)));
  }
  lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

Result<HttpGetResult> http_get(const std::string& url, const std::vector<std::string>& headers, Nanos timeout,
                               size_t max_body) {
  auto loaded = curl_library();
  if (!loaded) return loaded.error();
  const CurlLibrary& lib = **loaded;
  CurlHandle curl(lib.easy_init(), lib.easy_cleanup);
  if (!curl) return Error("cannot create an HTTP client handle");
  std::unique_ptr<curl_slist, decltype(lib.slist_free_all)> hdrs(header_list(lib, nullptr, headers),
                                                                  lib.slist_free_all);
  HttpGetResult r;
  BodySink sink{&r.body, max_body};
  sink.abort_past_max = true;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  common_options(lib, c, url, hdrs.get(), timeout, &sink, errbuf);
  lib.easy_setopt(c, CURLOPT_HTTPGET, 1L);
  // Prometheus compresses JSON well (10x); curl inflates before the sink,
  // so the bound still applies to what kscope holds.
  lib.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  CURLcode rc = lib.easy_perform(c);
  if (sink.truncated) {
    return Error("GET " + url.substr(0, 200) + ": the answer exceeds " + std::to_string(max_body >> 20) + " MiB",
                 "ask for less: a narrower selection or a shorter window");
  }
  if (rc != CURLE_OK) {
    return Error("GET " + url.substr(0, 200) + " failed: " +
                 (errbuf[0] ? std::string(errbuf) : lib.easy_strerror(rc)));
  }
  lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  char* ct = nullptr;
  if (lib.easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != nullptr) r.content_type = ct;
  return r;
}

}  // namespace kscope
