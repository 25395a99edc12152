#include "requests/route_template.h"

namespace kscope::requests {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

// The placeholder for a segment that looks like an identifier, or "".
std::string_view placeholder(std::string_view seg) {
  if (seg.empty()) return {};
  size_t digits = 0, hex = 0;
  for (char c : seg) {
    digits += is_digit(c) ? 1 : 0;
    hex += is_hex(c) ? 1 : 0;
  }
  if (digits == seg.size()) return "{id}";
  if (is_uuid(seg)) return "{uuid}";
  if (hex == seg.size() && seg.size() >= 16 && digits > 0) return "{hash}";
  if (digits >= 4) return "{id}";
  if (seg.size() > 48) return "{token}";
  return {};
}

// Calls f(segment) for each segment of a path ("/a//b/" -> "a", "", "b", "").
template <typename F>
void for_each_segment(std::string_view path, F f) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return;
  while (true) {
    size_t slash = path.find('/');
    if (!f(path.substr(0, slash))) return;
    if (slash == std::string_view::npos) return;
    path.remove_prefix(slash + 1);
  }
}

bool valid_placeholder_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string_view path_of(std::string_view target) {
  if (target.empty() || target == "*") return {};
  if (target.front() != '/') {
    // Absolute form: scheme "://" authority, then the path.
    size_t scheme = target.find("://");
    if (scheme == std::string_view::npos) return {};
    target.remove_prefix(scheme + 3);
    size_t slash = target.find_first_of("/?#");
    if (slash == std::string_view::npos || target[slash] != '/') return "/";
    target.remove_prefix(slash);
  }
  return target.substr(0, target.find_first_of("?#"));
}

std::string heuristic_template(std::string_view path) {
  std::string out;
  size_t n = 0;
  bool cut = false;
  for_each_segment(path, [&](std::string_view seg) {
    std::string_view p = placeholder(seg);
    std::string_view piece = p.empty() ? seg : p;
    if (n == kMaxRouteSegments || out.size() + 1 + piece.size() > kMaxRouteBytes - 7) {
      cut = true;
      return false;
    }
    out += '/';
    out += piece;
    ++n;
    return true;
  });
  if (cut) out += "/{rest}";
  if (out.empty()) out = "/";
  return out;
}

Result<RoutePattern> RoutePattern::parse(std::string_view text) {
  if (text.empty() || text.front() != '/') {
    return Error("route pattern \"" + std::string(text.substr(0, 64)) + "\" does not start with '/'");
  }
  if (text.size() > kMaxRouteBytes) {
    return Error("route pattern longer than " + std::to_string(kMaxRouteBytes) + " bytes");
  }
  RoutePattern p;
  p.text_ = std::string(text);
  std::string error;
  for_each_segment(text, [&](std::string_view seg) {
    bool open = !seg.empty() && seg.front() == '{';
    bool close = !seg.empty() && seg.back() == '}';
    if (open || close || seg.find_first_of("{}") != std::string_view::npos) {
      if (!open || !close || seg.size() < 3 || !valid_placeholder_name(seg.substr(1, seg.size() - 2))) {
        error = "route pattern \"" + p.text_ + "\": a placeholder is a whole segment like {id}";
        return false;
      }
      p.segments_.emplace_back();
    } else if (seg.find_first_of("?#*") != std::string_view::npos) {
      error = "route pattern \"" + p.text_ + "\": no '?', '#' or '*' in a route";
      return false;
    } else {
      p.segments_.emplace_back(seg);
    }
    return true;
  });
  if (!error.empty()) return Error(error);
  return p;
}

bool RoutePattern::matches(std::string_view path) const {
  size_t i = 0;
  bool ok = true;
  for_each_segment(path, [&](std::string_view seg) {
    // A trailing slash does not make another route.
    if (seg.empty() && i == segments_.size()) return true;
    if (i >= segments_.size()) {
      ok = false;
      return false;
    }
    const std::string& want = segments_[i++];
    ok = want.empty() ? !seg.empty() : seg == want;
    return ok;
  });
  return ok && i == segments_.size();
}

RouteTable::RouteTable(std::vector<ServiceRoutes> services, size_t max_routes)
    : services_(std::move(services)), max_routes_(max_routes) {}

const RoutePattern* RouteTable::match(std::string_view service, std::string_view path) const {
  for (bool wildcard : {false, true}) {
    for (const auto& s : services_) {
      if ((s.service == "*") != wildcard || (!wildcard && s.service != service)) continue;
      for (const auto& p : s.patterns) {
        if (p.matches(path)) return &p;
      }
    }
  }
  return nullptr;
}

std::string RouteTable::route(std::string_view service, std::string_view target) {
  std::string_view path = path_of(target);
  if (path.empty()) return std::string(kOtherRoute);
  if (const RoutePattern* p = match(service, path)) return p->text();
  std::string t = heuristic_template(path);
  std::string key;
  key.reserve(service.size() + 1 + t.size());
  key.append(service).push_back('\0');
  key += t;
  if (admitted_.count(key)) return t;
  if (admitted_.size() >= max_routes_) {
    ++folded_;
    return std::string(kOtherRoute);
  }
  admitted_.insert(std::move(key));
  return t;
}

}  // namespace kscope::requests
