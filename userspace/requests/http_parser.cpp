#include "requests/http_parser.h"

#include <algorithm>
#include <array>

namespace kscope::requests {
namespace {

constexpr std::array<std::string_view, 9> kMethods = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                      "CONNECT", "OPTIONS", "TRACE", "PATCH"};

// RFC 9110 tchar.
bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// Calls f(token) for each comma-separated, trimmed, non-empty token.
template <typename F>
void for_each_token(std::string_view v, F f) {
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view t = trim(v.substr(0, comma));
    if (!t.empty()) f(t);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
}

// Matches `lit` at in[pos...]: kComplete when all of it is there,
// kIncomplete when the input ends while it still agrees, kInvalid otherwise.
ParseStatus expect(std::string_view in, size_t& pos, std::string_view lit) {
  for (char c : lit) {
    if (pos >= in.size()) return ParseStatus::kIncomplete;
    if (in[pos] != c) return ParseStatus::kInvalid;
    ++pos;
  }
  return ParseStatus::kComplete;
}

// "HTTP/1.0" or "HTTP/1.1" at pos.
ParseStatus parse_version(std::string_view in, size_t& pos, HttpVersion& v) {
  if (auto s = expect(in, pos, "HTTP/1."); s != ParseStatus::kComplete) return s;
  if (pos >= in.size()) return ParseStatus::kIncomplete;
  if (in[pos] != '0' && in[pos] != '1') return ParseStatus::kInvalid;
  v = in[pos] == '0' ? HttpVersion::k10 : HttpVersion::k11;
  ++pos;
  return ParseStatus::kComplete;
}

// An optional CR, then LF.
ParseStatus parse_eol(std::string_view in, size_t& pos) {
  if (pos < in.size() && in[pos] == '\r') ++pos;
  if (pos >= in.size()) return ParseStatus::kIncomplete;
  if (in[pos] != '\n') return ParseStatus::kInvalid;
  ++pos;
  return ParseStatus::kComplete;
}

ParseStatus apply_field(std::string_view name, std::string_view value, HttpHead& out) {
  if (iequals(name, "content-length")) {
    if (value.empty() || value.size() > 18) return ParseStatus::kInvalid;
    uint64_t n = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return ParseStatus::kInvalid;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    // Two different lengths: the framing is ambiguous (request smuggling).
    if (out.content_length && *out.content_length != n) return ParseStatus::kInvalid;
    out.content_length = n;
  } else if (iequals(name, "transfer-encoding")) {
    out.has_transfer_encoding = true;
    out.chunked = false;
    for_each_token(value, [&](std::string_view t) { out.chunked = iequals(t, "chunked"); });
  } else if (iequals(name, "connection")) {
    for_each_token(value, [&](std::string_view t) {
      if (iequals(t, "close")) out.connection_close = true;
      if (iequals(t, "upgrade")) out.upgrade = true;
    });
  }
  return ParseStatus::kComplete;
}

// Header fields from pos up to and including the empty line.
ParseStatus parse_fields(std::string_view in, size_t pos, HttpHead& out) {
  for (size_t lines = 0;; ++lines) {
    if (pos >= in.size()) return ParseStatus::kIncomplete;
    if (in[pos] == '\r' || in[pos] == '\n') {
      if (auto s = parse_eol(in, pos); s != ParseStatus::kComplete) return s;
      out.head_end = pos;
      return ParseStatus::kComplete;
    }
    if (lines >= kMaxHeaderLines) return ParseStatus::kInvalid;
    bool continuation = in[pos] == ' ' || in[pos] == '\t';  // obsolete line folding: skipped
    size_t name_begin = pos;
    if (!continuation) {
      while (pos < in.size() && is_tchar(static_cast<unsigned char>(in[pos]))) ++pos;
      if (pos >= in.size()) return ParseStatus::kIncomplete;
      if (pos == name_begin || in[pos] != ':') return ParseStatus::kInvalid;
    }
    std::string_view name = in.substr(name_begin, pos - name_begin);
    if (!continuation) ++pos;  // ':'
    size_t value_begin = pos;
    while (pos < in.size() && in[pos] != '\n') {
      auto c = static_cast<unsigned char>(in[pos]);
      if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) return ParseStatus::kInvalid;
      ++pos;
    }
    if (pos >= in.size()) return ParseStatus::kIncomplete;
    std::string_view value = in.substr(value_begin, pos - value_begin);
    if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
    ++pos;  // '\n'
    if (!continuation) {
      if (auto s = apply_field(name, trim(value), out); s != ParseStatus::kComplete) return s;
    }
  }
}

}  // namespace

std::string_view version_name(HttpVersion v) {
  if (v == HttpVersion::k2) return "2";
  return v == HttpVersion::k10 ? "1.0" : "1.1";
}

std::string_view canonical_method(std::string_view token) {
  for (std::string_view m : kMethods) {
    if (token == m) return m;
  }
  return "_OTHER";
}

ParseStatus parse_request_head(std::string_view in, HttpHead& out) {
  out = HttpHead{};
  out.is_request = true;
  size_t pos = 0;
  while (pos < in.size() && is_tchar(static_cast<unsigned char>(in[pos]))) {
    if (++pos > kMaxMethodLength) return ParseStatus::kInvalid;
  }
  if (pos >= in.size()) return ParseStatus::kIncomplete;
  if (pos == 0 || in[pos] != ' ') return ParseStatus::kInvalid;
  out.method = canonical_method(in.substr(0, pos));
  size_t target_begin = ++pos;
  while (pos < in.size() && in[pos] != ' ') {
    auto c = static_cast<unsigned char>(in[pos]);
    if (c <= 0x20 || c == 0x7F) return ParseStatus::kInvalid;
    if (++pos - target_begin > kMaxTargetLength) return ParseStatus::kInvalid;
  }
  if (pos >= in.size()) return ParseStatus::kIncomplete;
  if (pos == target_begin) return ParseStatus::kInvalid;
  out.target = in.substr(target_begin, pos - target_begin);
  ++pos;
  if (auto s = parse_version(in, pos, out.version); s != ParseStatus::kComplete) return s;
  if (auto s = parse_eol(in, pos); s != ParseStatus::kComplete) return s;
  out.start_line_end = pos;
  return parse_fields(in, pos, out);
}

ParseStatus parse_response_head(std::string_view in, HttpHead& out) {
  out = HttpHead{};
  size_t pos = 0;
  if (auto s = parse_version(in, pos, out.version); s != ParseStatus::kComplete) return s;
  if (auto s = expect(in, pos, " "); s != ParseStatus::kComplete) return s;
  int status = 0;
  for (int i = 0; i < 3; ++i, ++pos) {
    if (pos >= in.size()) return ParseStatus::kIncomplete;
    if (in[pos] < '0' || in[pos] > '9') return ParseStatus::kInvalid;
    status = status * 10 + (in[pos] - '0');
  }
  if (status < 100 || status > 599) return ParseStatus::kInvalid;
  out.status = status;
  // The reason phrase (possibly empty) up to the end of the line.
  if (pos >= in.size()) return ParseStatus::kIncomplete;
  if (in[pos] == ' ') {
    while (pos < in.size() && in[pos] != '\r' && in[pos] != '\n') {
      auto c = static_cast<unsigned char>(in[pos]);
      if ((c < 0x20 && c != '\t') || c == 0x7F) return ParseStatus::kInvalid;
      ++pos;
    }
  }
  if (auto s = parse_eol(in, pos); s != ParseStatus::kComplete) return s;
  out.start_line_end = pos;
  return parse_fields(in, pos, out);
}

namespace {

// A whole call shorter than a request's or response's first few bytes
// that could begin one: a head split over calls at its very start.
bool begins(std::string_view in, std::string_view start) {
  return !in.empty() && in.size() < start.size() && start.substr(0, in.size()) == in;
}

}  // namespace

bool starts_like_request(std::string_view in) {
  // "G", "GE", "GET", "GET ": a whole call that could begin a request.
  for (std::string_view m : kMethods) {
    if (in.empty() || in.size() > m.size() + 1) continue;
    size_t k = std::min(in.size(), m.size());
    if (in.substr(0, k) == m.substr(0, k) && (in.size() == k || in[k] == ' ')) return true;
  }
  size_t sp = in.substr(0, kMaxMethodLength + 1).find(' ');
  if (sp == std::string_view::npos || sp + 1 >= in.size()) return false;
  if (canonical_method(in.substr(0, sp)) == "_OTHER") return false;
  std::string_view target = in.substr(sp + 1);
  return target[0] == '/' || target[0] == '*' || target.substr(0, 4) == "http";
}

bool starts_like_response(std::string_view in) {
  constexpr std::string_view kPrefix = "HTTP/1.";
  return in.substr(0, kPrefix.size()) == kPrefix || begins(in, kPrefix);
}

}  // namespace kscope::requests
