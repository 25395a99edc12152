// http_route label values: the route a request took, never its raw path.
// The query string and fragment are cut off first (they never reach a
// label). Then a configured pattern of the request's service wins
// ("/users/{id}": literal segments match themselves, a {name} segment any
// one non-empty segment); else the path becomes a heuristic template, each
// segment that looks like an identifier replaced by a placeholder:
//   all digits -> {id}, 8-4-4-4-12 hex -> {uuid}, 16+ hex digits -> {hash},
//   4+ digits among other characters -> {id}, longer than 48 bytes -> {token}.
// Templates are cut to kMaxRouteSegments segments and kMaxRouteBytes bytes
// ("/{rest}" stands for what was cut). At most max_routes distinct
// (service, template) pairs are kept; further ones become "_OTHER". The
// values are raw text: the exporter escapes them like every label.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/result.h"

namespace kscope::requests {

inline constexpr std::string_view kOtherRoute = "_OTHER";
inline constexpr size_t kMaxRouteSegments = 12;
inline constexpr size_t kMaxRouteBytes = 256;

// The path of a request target: origin-form "/a/b?q" -> "/a/b", absolute
// form "http://h:1/a?q" -> "/a", "" for the authority form of CONNECT and
// the asterisk form of OPTIONS (they have no path).
std::string_view path_of(std::string_view target);

// The heuristic template of a path ("/" for an empty one).
std::string heuristic_template(std::string_view path);

class RoutePattern {
 public:
  // "/users/{id}/orders": starts with '/', placeholders are whole segments
  // named with letters, digits and '_', at most kMaxRouteBytes bytes.
  static Result<RoutePattern> parse(std::string_view text);

  bool matches(std::string_view path) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::string> segments_;  // "" for a placeholder
};

struct ServiceRoutes {
  std::string service;  // as the engine's resolver names services; "*" for every service
  std::vector<RoutePattern> patterns;
};

class RouteTable {
 public:
  RouteTable(std::vector<ServiceRoutes> services, size_t max_routes);

  // The http_route of a request to `target` on `service`.
  std::string route(std::string_view service, std::string_view target);

  // Distinct (service, template) pairs admitted so far.
  size_t templates() const { return admitted_.size(); }
  // Requests whose template was folded into "_OTHER" by the cap.
  uint64_t folded() const { return folded_; }

 private:
  const RoutePattern* match(std::string_view service, std::string_view path) const;

  std::vector<ServiceRoutes> services_;
  size_t max_routes_;
  std::unordered_set<std::string> admitted_;  // service '\0' template
  uint64_t folded_ = 0;
};

}  // namespace kscope::requests
