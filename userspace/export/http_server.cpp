#include "export/http_server.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/thread_name.h"

namespace kscope {
namespace {

constexpr size_t kMaxBody = 1 << 20;

// Constant-time comparison, so a token can't be guessed byte by byte.
bool same_token(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

void civetweb_init_once() {
  static const int rc = mg_init_library(0);
  (void)rc;
}

}  // namespace

std::string url_decode(const std::string& in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size() &&
        std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool HttpRequest::has_param(const std::string& name) const {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    std::string key = url_decode(part.substr(0, part.find('=')), true);
    if (key == name) return true;
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return false;
}

std::string HttpRequest::param(const std::string& name, const std::string& fallback) const {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = part.find('=');
    if (url_decode(part.substr(0, eq), true) == name) {
      return eq == std::string::npos ? std::string() : url_decode(part.substr(eq + 1), true);
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return fallback;
}

HttpResponse HttpResponse::json(const std::string& body, int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body;
  return r;
}

HttpResponse HttpResponse::json_error(int status, const std::string& message) {
  return json(nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
              status);
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerOptions& options) {
  civetweb_init_once();
  std::unique_ptr<HttpServer> server(new HttpServer(options));
  std::string threads = std::to_string(options.threads);
  std::string timeout = std::to_string(options.request_timeout_ms);
  const char* civet_options[] = {"listening_ports", options.listen.c_str(),
                                 "num_threads", threads.c_str(),
                                 "request_timeout_ms", timeout.c_str(),
                                 "enable_keep_alive", "yes",
                                 "max_request_size", "16384",
                                 nullptr};
  mg_callbacks callbacks = {};
  callbacks.log_message = [](const mg_connection*, const char* message) {
    spdlog::debug("http: {}", message);
    return 1;
  };
  // civetweb names its threads "civetweb-master/worker/timer" and then
  // calls this in each: kscope's names say whose threads they are.
  callbacks.init_thread = [](const mg_context*, int thread_type) -> void* {
    name_this_thread(thread_type == 0 ? "kscope-accept" : thread_type == 1 ? "kscope-http" : "kscope-timer");
    return nullptr;
  };
  mg_init_data init = {};
  init.callbacks = &callbacks;
  init.configuration_options = civet_options;
  char error_text[256] = {};
  mg_error_data error = {};
  error.text = error_text;
  error.text_buffer_size = sizeof(error_text);
  server->ctx_ = mg_start2(&init, &error);
  if (server->ctx_ == nullptr) {
    return Error("cannot serve HTTP on " + options.listen + ": " + error_text,
                 "is another kscope (or something else) using that port? change http.listen or --listen");
  }
  mg_server_port ports[4];
  int n = mg_get_server_ports(server->ctx_, 4, ports);
  if (n > 0) server->port_ = ports[0].port;
  mg_set_request_handler(server->ctx_, "/", &HttpServer::dispatch, server.get());
  return server;
}

HttpServer::~HttpServer() {
  std::vector<std::function<void()>> stop;
  {
    std::lock_guard lock(mu_);
    stop.swap(on_stop_);
  }
  for (const auto& f : stop) f();
  if (ctx_ != nullptr) mg_stop(ctx_);  // waits for the running handlers
}

void HttpServer::on_stop(std::function<void()> f) {
  std::lock_guard lock(mu_);
  on_stop_.push_back(std::move(f));
}

void HttpServer::route(const std::string& path, HttpHandler handler) {
  std::lock_guard lock(mu_);
  routes_[path] = Route{std::move(handler), false};
}

void HttpServer::route_public(const std::string& path, HttpHandler handler) {
  std::lock_guard lock(mu_);
  routes_[path] = Route{std::move(handler), true};
}

bool HttpServer::authorized(const std::string& path, const std::string& authorization) const {
  if (options_.token.empty()) return true;
  if (path == "/metrics" && !options_.protect_metrics) return true;
  const std::string prefix = "Bearer ";
  if (authorization.compare(0, prefix.size(), prefix) != 0) return false;
  return same_token(authorization.substr(prefix.size()), options_.token);
}

int HttpServer::dispatch(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<HttpServer*>(self_ptr);
  const mg_request_info* info = mg_get_request_info(conn);
  HttpRequest req;
  req.method = info->request_method ? info->request_method : "";
  req.path = info->local_uri ? info->local_uri : "/";
  req.query = info->query_string ? info->query_string : "";
  for (int i = 0; i < info->num_headers; ++i) {
    std::string name = info->http_headers[i].name ? info->http_headers[i].name : "";
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers[name] = info->http_headers[i].value ? info->http_headers[i].value : "";
  }
  HttpResponse resp;
  if (info->content_length > static_cast<long long>(kMaxBody)) {
    resp = HttpResponse::json_error(413, "request body too large");
  } else {
    if (info->content_length > 0) {
      req.body.resize(static_cast<size_t>(info->content_length));
      int got = mg_read(conn, req.body.data(), req.body.size());
      req.body.resize(got > 0 ? static_cast<size_t>(got) : 0);
    }
    resp = self->handle(req);
  }
  std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                     mg_get_response_code_text(conn, resp.status) + "\r\n";
  head += "Content-Type: " + resp.content_type + "\r\n";
  head += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
  head += "X-Content-Type-Options: nosniff\r\n";
  for (const auto& [k, v] : resp.headers) head += k + ": " + v + "\r\n";
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  if (req.method != "HEAD") mg_write(conn, resp.body.data(), resp.body.size());
  return resp.status;
}

HttpResponse HttpServer::handle(const HttpRequest& req) {
  HttpHandler handler;
  bool is_public = false;
  {
    std::lock_guard lock(mu_);
    size_t best = 0;
    for (const auto& [path, r] : routes_) {
      bool match = path == req.path || (path.back() == '/' && req.path.compare(0, path.size(), path) == 0);
      if (match && path.size() >= best) {
        best = path.size();
        handler = r.handler;
        is_public = r.is_public;
      }
    }
  }
  auto auth = req.headers.find("authorization");
  if (!is_public && !authorized(req.path, auth == req.headers.end() ? "" : auth->second)) {
    auto r = HttpResponse::json_error(401, "missing or wrong bearer token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (!handler) return HttpResponse::json_error(404, "no such endpoint: " + req.path);
  try {
    return handler(req);
  } catch (const std::exception& e) {
    spdlog::error("http handler failed path={} error={}", req.path, e.what());
    return HttpResponse::json_error(500, "internal error");
  }
}

}  // namespace kscope
