#include "web/assets.h"

#include <random>

#include "common/embedded.h"

namespace kscope {

std::string content_type_for(const std::string& path) {
  auto ends = [&](const char* ext) { return path.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  return "text/plain; charset=utf-8";
}

HttpResponse serve_asset(const HttpRequest& req) {
  if (req.method != "GET" && req.method != "HEAD") return HttpResponse::json_error(405, "use GET");
  std::string file;
  if (req.path == "/" || req.path == "/index.html") {
    file = "index.html";
  } else if (req.path.starts_with("/assets/")) {
    file = req.path.substr(8);
  }
  // Only names inside the embedded table are served: "..", absolute paths
  // and everything else are simply not in it.
  std::string_view body = file.empty() ? std::string_view() : embedded_file("web/" + file);
  // "/" is a prefix route, so every unknown path lands here.
  if (body.empty()) return HttpResponse::json_error(404, "no such endpoint: " + req.path);
  HttpResponse r;
  r.content_type = content_type_for(file);
  r.body = std::string(body);
  std::string nonce;
  if (file == "index.html") {
    // A fresh nonce per page load: flame graphs from /api/v1/profile carry it
    // on their one script, which the page's CSP then lets run inside the
    // blob frame (blob documents inherit the page's policy).
    std::random_device rd;
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 24; ++i) nonce += kAlphabet[rd() % (sizeof(kAlphabet) - 1)];
    size_t at = r.body.find("{{script_nonce}}");
    if (at != std::string::npos) r.body.replace(at, 16, nonce);
  }
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (file == "index.html") {
    // The page loads only its own assets and talks only to this server;
    // flame graphs (SVG with their own script) go into a sandboxed blob frame.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; script-src 'self' 'nonce-" + nonce + "'; connect-src 'self'; "
                           "img-src 'self' data: blob:; "
                           "frame-src blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
                           "base-uri 'none'; frame-ancestors 'none'");
    r.headers.emplace_back("X-Frame-Options", "DENY");
  }
  return r;
}

}  // namespace kscope
