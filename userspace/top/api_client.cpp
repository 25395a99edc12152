#include "top/api_client.h"

#include <civetweb.h>

#include <cstdlib>
#include <memory>

#include "common/bearer_token.h"

namespace kscope {
namespace {

// The most a response may hold: a query over an hour of many series is a few
// MiB; anything far beyond is not kscope.
constexpr size_t kMaxBody = size_t{256} << 20;

}  // namespace

std::string url_encode(std::string_view in) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::string> read_api_token(const std::string& token_file, const std::string& token_env) {
  return read_bearer_token(token_file, token_env, MissingTokenEnv::kEmpty);
}

Result<ApiClient> ApiClient::create(const std::string& url, std::string token, int timeout_ms) {
  static const int init = mg_init_library(0);
  (void)init;
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    return Error("unsupported URL '" + url + "'", "use http://HOST:PORT, e.g. http://127.0.0.1:9494");
  }
  ApiClient c;
  c.url_ = url;
  c.token_ = std::move(token);
  c.timeout_ms_ = timeout_ms;
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  c.prefix_ = slash == std::string::npos ? "" : rest.substr(slash);
  while (!c.prefix_.empty() && c.prefix_.back() == '/') c.prefix_.pop_back();
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    char* end = nullptr;
    long port = std::strtol(authority.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || port <= 0 || port > 65535) return Error("invalid port in URL '" + url + "'");
    c.port_ = static_cast<int>(port);
    authority.resize(colon);
  }
  if (authority.size() > 2 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  if (authority.empty()) return Error("no host in URL '" + url + "'");
  c.host_ = authority;
  return c;
}

Result<ApiResponse> ApiClient::get(const std::string& path_and_query) const {
  char ebuf[256] = {0};
  std::unique_ptr<mg_connection, decltype(&mg_close_connection)> conn(
      mg_connect_client(host_.c_str(), port_, 0, ebuf, sizeof ebuf), mg_close_connection);
  if (!conn) {
    return Error("cannot connect to " + url_ + ": " + ebuf, "is `kscope run` running there? (--url)");
  }
  std::string request = "GET " + prefix_ + path_and_query + " HTTP/1.1\r\nHost: " + host_ +
                        "\r\nConnection: close\r\nAccept: application/json\r\n";
  if (!token_.empty()) request += "Authorization: Bearer " + token_ + "\r\n";
  request += "\r\n";
  if (mg_write(conn.get(), request.data(), request.size()) <= 0) return Error("cannot send request to " + url_);
  if (mg_get_response(conn.get(), ebuf, sizeof ebuf, timeout_ms_) < 0) {
    return Error("no response from " + url_ + ": " + ebuf);
  }
  ApiResponse r;
  r.status = mg_get_response_info(conn.get())->status_code;
  char buf[65536];
  for (;;) {
    int n = mg_read(conn.get(), buf, sizeof buf);
    if (n <= 0) break;
    r.body.append(buf, static_cast<size_t>(n));
    if (r.body.size() > kMaxBody) return Error("response from " + url_ + " is larger than 256 MiB");
  }
  return r;
}

Result<nlohmann::json> ApiClient::get_json(const std::string& path_and_query) const {
  auto r = get(path_and_query);
  if (!r) return r.error();
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
  if (r->status != 200) {
    std::string msg = j.is_object() && j.contains("error") && j["error"].is_string()
                          ? j["error"].get<std::string>()
                          : r->body.substr(0, 200);
    std::string hint = r->status == 401 ? "pass the API token with --token-file or KSCOPE_TOKEN" : "";
    return Error("GET " + path_and_query.substr(0, path_and_query.find('?')) + ": HTTP " +
                     std::to_string(r->status) + " " + msg,
                 hint);
  }
  if (j.is_discarded()) return Error("GET " + path_and_query + ": the response is not JSON");
  return j;
}

}  // namespace kscope
