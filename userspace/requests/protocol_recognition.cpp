#include "requests/protocol_recognition.h"

#include "requests/h2_framer.h"
#include "requests/http_parser.h"
#include "requests/mysql_session.h"
#include "requests/pg_framer.h"
#include "requests/redis_commands.h"

namespace kscope::requests {
namespace {

constexpr uint16_t kRedisPort = 6379;
constexpr uint16_t kPostgresPort = 5432;
constexpr uint16_t kMySqlPort = 3306;

bool digits_then_crlf(std::string_view s, size_t& pos) {
  size_t start = pos;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 8) ++pos;
  if (pos == start || pos + 1 >= s.size() || s[pos] != '\r' || s[pos + 1] != '\n') return false;
  pos += 2;
  return true;
}

// An HTTP/1.x request line ("GET / HTTP/1.1") or status line.
bool http(std::string_view b) {
  if (b.substr(0, 7) == "HTTP/1." && b.size() >= 12) return true;
  if (!starts_like_request(b)) return false;
  std::string_view line = b.substr(0, b.find('\n'));
  return line.find(" HTTP/1.") != std::string_view::npos;
}

// A command as clients send it: "*N\r\n$M\r\n", N >= 1.
bool redis_command(std::string_view b) {
  if (b.size() < 8 || b[0] != '*' || b[1] == '0') return false;
  size_t pos = 1;
  if (!digits_then_crlf(b, pos) || pos >= b.size() || b[pos] != '$') return false;
  ++pos;
  return digits_then_crlf(b, pos);
}

// A reply ("+OK\r\n", "-ERR ...", ":1\r\n", "$3\r\n") or an inline command
// naming a Redis command ("PING\r\n"): plausible, not proof.
bool redis_like(std::string_view b) {
  size_t eol = b.find("\r\n");
  if (eol == std::string_view::npos || eol == 0) return false;
  char t = b[0];
  if (t == '+' || t == '-' || t == ':' || t == '$' || t == '*' || t == '%' || t == '_') return true;
  std::string_view word = b.substr(0, std::min(eol, b.find(' ')));
  return redis_operation_name(word, true, {}, false, false) != "_OTHER";
}

// StartupMessage (protocol 3.x, then "user" or another parameter name),
// SSLRequest, GSSENCRequest, CancelRequest: fixed codes at fixed places.
bool postgres_startup(std::string_view b) {
  if (b.size() < 8) return false;
  uint32_t length = pg_be32(b);
  uint32_t code = pg_be32(b.substr(4));
  if (code == kPgSslRequest || code == kPgGssEncRequest) return length == 8;
  if (code == kPgCancelRequest) return length == 16;
  if ((code >> 16) != 3 || length < 9 || length > 10000) return false;
  // Parameters are NUL-terminated names; the first byte of one is a letter.
  return b.size() == 8 || (b[8] >= 'a' && b[8] <= 'z') || b[8] == '_';
}

// The connection preface (all of it that was captured, at least "PRI "),
// or a server's first SETTINGS frame (no ACK).
bool http2_start(std::string_view b) {
  if (b.size() >= 4 && kH2Preface.substr(0, std::min(b.size(), kH2Preface.size())) == b.substr(0, kH2Preface.size())) {
    return true;
  }
  return h2_plausible_frame_header(b) && b[3] == char(H2FrameType::kSettings) && b[4] == 0;
}

}  // namespace

bool looks_like_h2_frames(std::string_view b) { return http2_start(b) || h2_plausible_frame_header(b); }

std::string_view l7_protocol_name(L7Protocol p) {
  switch (p) {
    case L7Protocol::kHttp: return "http";
    case L7Protocol::kRedis: return "redis";
    case L7Protocol::kPostgres: return "postgresql";
    case L7Protocol::kMySql: return "mysql";
    case L7Protocol::kHttp2: return "http2";
    case L7Protocol::kUnknown: break;
  }
  return "unknown";
}

L7Protocol recognize_protocol(std::string_view b, uint16_t server_port) {
  if (http2_start(b)) return L7Protocol::kHttp2;
  if (http(b)) return L7Protocol::kHttp;
  if (redis_command(b)) return L7Protocol::kRedis;
  if (postgres_startup(b)) return L7Protocol::kPostgres;
  if (mysql_starts_greeting(b)) return L7Protocol::kMySql;
  if (server_port == kRedisPort && redis_like(b)) return L7Protocol::kRedis;
  if (server_port == kPostgresPort && (PgFramer::starts_message(PgFramer::Side::kFrontend, b) ||
                                       PgFramer::starts_message(PgFramer::Side::kBackend, b))) {
    return L7Protocol::kPostgres;
  }
  if (server_port == kMySqlPort && mysql_starts_command(b)) return L7Protocol::kMySql;
  return L7Protocol::kUnknown;
}

}  // namespace kscope::requests
