#include "top/api_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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

// Asynchronous operations on a private io_context, run to completion here:
// Beast's timeouts (tcp_stream::expires_after) only bound asynchronous ones,
// and the whole exchange must fit in timeout_ms.
Result<ApiResponse> ApiClient::get(const std::string& path_and_query) const {
  namespace beast = boost::beast;
  namespace http = beast::http;
  namespace net = boost::asio;
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::empty_body> req{http::verb::get, prefix_ + path_and_query, 11};
  req.set(http::field::host, host_);
  req.set(http::field::accept, "application/json");
  req.set(http::field::connection, "close");
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  beast::error_code failure;
  std::string stage = "connect to";
  net::ip::tcp::resolver resolver(ioc);
  stream.expires_after(std::chrono::milliseconds(timeout_ms_));
  resolver.async_resolve(host_, std::to_string(port_), [&](beast::error_code ec, net::ip::tcp::resolver::results_type r) {
    if (ec) {
      failure = ec;
      return;
    }
    stream.async_connect(r, [&](beast::error_code ec2, const net::ip::tcp::endpoint&) {
      if (ec2) {
        failure = ec2;
        return;
      }
      stage = "send request to";
      http::async_write(stream, req, [&](beast::error_code ec3, size_t) {
        if (ec3) {
          failure = ec3;
          return;
        }
        stage = "read the response from";
        http::async_read(stream, buffer, parser, [&](beast::error_code ec4, size_t) { failure = ec4; });
      });
    });
  });
  ioc.run();
  if (failure) {
    if (failure == http::error::body_limit) return Error("response from " + url_ + " is larger than 256 MiB");
    return Error("cannot " + stage + " " + url_ + ": " + failure.message(),
                 stage == "connect to" ? "is `kscope run` running there? (--url)" : "");
  }
  ApiResponse r;
  r.status = static_cast<int>(parser.get().result_int());
  r.body = std::move(parser.get().body());
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
