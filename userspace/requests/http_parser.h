// HTTP/1.x message heads (request line or status line, then header fields)
// parsed from the captured prefix of one read or write. The prefix is
// bounded by the probe and may end at any byte: every function here reads
// only the bytes it is given and says whether the head was complete, cut
// short, or not HTTP. Views in the result point into the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kscope::requests {

enum class HttpVersion : uint8_t { k10 = 0, k11 = 1, k2 = 2 };  // k2: HTTP/2 (h2_engine.h)

// "1.0" or "1.1", as OpenTelemetry's network.protocol.version.
std::string_view version_name(HttpVersion v);

// The request method as the http.request.method label: one of the methods
// of RFC 9110 and RFC 5789 (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS,
// TRACE, PATCH), else "_OTHER". Case-sensitive, as methods are.
std::string_view canonical_method(std::string_view token);

enum class ParseStatus : uint8_t {
  kComplete,    // the whole head, up to and including the empty line
  kIncomplete,  // the input ended inside the head; what was seen is HTTP
  kInvalid,     // not an HTTP/1.x head
};

struct HttpHead {
  bool is_request = false;
  std::string_view method;  // canonical_method() of the token (requests)
  std::string_view target;  // request target as sent (requests)
  int status = 0;           // 100..599 (responses)
  HttpVersion version = HttpVersion::k11;
  // Offset just past the start line's line feed; 0 while the start line
  // itself is incomplete.
  size_t start_line_end = 0;
  // Offset just past the empty line that ends the head (kComplete only).
  size_t head_end = 0;
  std::optional<uint64_t> content_length;
  bool chunked = false;           // Transfer-Encoding ends in "chunked"
  bool has_transfer_encoding = false;
  bool connection_close = false;  // Connection: close
  bool upgrade = false;           // Connection: upgrade
};

// Bounds that make a head invalid rather than merely long: real clients
// stay far below them, and a parser that waited for more would let one
// connection hold memory forever.
inline constexpr size_t kMaxMethodLength = 24;
inline constexpr size_t kMaxTargetLength = 16 * 1024;
inline constexpr size_t kMaxHeaderLines = 256;

ParseStatus parse_request_head(std::string_view in, HttpHead& out);
ParseStatus parse_response_head(std::string_view in, HttpHead& out);

// Protocol recognition where a message must begin, before anything on the
// connection was taken for HTTP: true when `in` begins like an HTTP/1.x
// request (a standard method, a space, then '/', '*' or "http") or
// response ("HTTP/1."). Narrower than "parses", so that other text
// protocols with upper-case commands (a Redis inline GET, SMTP) are never
// counted as unparsed HTTP; a request with a non-standard method is
// recognised once the connection is known to speak HTTP.
bool starts_like_request(std::string_view in);
bool starts_like_response(std::string_view in);

}  // namespace kscope::requests
