#include "alerts/smtp_client.h"

#include <cstring>
#include <memory>

#include "net/curl_library.h"

namespace kscope {
namespace {

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t read_message(char* buffer, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t len = std::min(size * n, up->data->size() - up->offset);
  std::memcpy(buffer, up->data->data() + up->offset, len);
  up->offset += len;
  return len;
}

}  // namespace

Status smtp_send(const SmtpRequest& req, const std::string& message) {
  auto loaded = curl_library();
  if (!loaded) return loaded.error();
  const CurlLibrary& lib = **loaded;
  std::unique_ptr<CURL, decltype(lib.easy_cleanup)> curl(lib.easy_init(), lib.easy_cleanup);
  if (!curl) return Error("cannot create an SMTP client handle");
  curl_slist* list = nullptr;
  for (const auto& r : req.to) list = lib.slist_append(list, ("<" + r + ">").c_str());
  std::unique_ptr<curl_slist, decltype(lib.slist_free_all)> rcpt(list, lib.slist_free_all);
  const std::string from = "<" + req.from + ">";
  Upload up{&message};
  CURL* c = curl.get();
  // curl_easy_setopt is variadic: each value has exactly the type curl reads.
  lib.easy_setopt(c, CURLOPT_URL, req.url.c_str());
  lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  lib.easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  lib.easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  lib.easy_setopt(c, CURLOPT_UPLOAD, 1L);
  lib.easy_setopt(c, CURLOPT_READFUNCTION, &read_message);
  lib.easy_setopt(c, CURLOPT_READDATA, &up);
  lib.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  if (req.url.starts_with("smtp://")) {
    lib.easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(req.starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  }
  apply_tls_options(c, req.tls);
  if (!req.username.empty()) {
    lib.easy_setopt(c, CURLOPT_USERNAME, req.username.c_str());
    lib.easy_setopt(c, CURLOPT_PASSWORD, req.password.c_str());
  }
  lib.easy_setopt(c, CURLOPT_TIMEOUT_MS,
                  static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(req.timeout).count()));
  lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  char errbuf[CURL_ERROR_SIZE] = {0};
  lib.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = lib.easy_perform(c);
  if (rc != CURLE_OK) {
    long code = 0;
    lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    std::string why = errbuf[0] ? std::string(errbuf) : lib.easy_strerror(rc);
    if (code != 0) why += " (server said " + std::to_string(code) + ")";
    std::string hint;
    if (rc == CURLE_USE_SSL_FAILED) hint = "the server offers no STARTTLS: use smtps://, or starttls: false for a relay on loopback";
    else if (rc == CURLE_PEER_FAILED_VERIFICATION) hint = "set ca_file to the CA that signed the server's certificate";
    else if (rc == CURLE_LOGIN_DENIED) hint = "check username and the password in password_file or password_env";
    return Error("sending mail through " + req.url + " failed: " + why, hint);
  }
  return ok_status();
}

}  // namespace kscope
