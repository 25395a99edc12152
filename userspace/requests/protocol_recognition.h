// Which protocol a connection speaks, from its first bytes: so that the
// agent can hand each connection to one engine (http_engine.h, or a
// db_engine.h per database system). The bytes decide where they can; the
// server's port is a hint only where they are ambiguous (a Redis reply or
// inline command, a PostgreSQL message or a MySQL command in the middle of
// a connection): 6379 for Redis, 5432 for PostgreSQL, 3306 for MySQL. A
// MySQL server speaks first: its connections are recognised by the
// greeting (protocol 10 and a version string), which both ends see first.
// HTTP/2 by the client's connection preface, or by the SETTINGS frame a
// server may write before it reads the preface (h2_framer.h).
// Whatever is not recognised is kUnknown, never a guess: TLS, SSH, SMTP,
// binary noise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kscope::requests {

enum class L7Protocol : uint8_t { kUnknown, kHttp, kRedis, kPostgres, kMySql, kHttp2 };
inline constexpr size_t kL7ProtocolCount = 6;

// "unknown", "http", "redis", "postgresql", "mysql", "http2"
std::string_view l7_protocol_name(L7Protocol p);

// first_bytes: the captured start of the first read or write seen on the
// connection (either direction); server_port: the server's port, 0 when
// not known.
L7Protocol recognize_protocol(std::string_view first_bytes, uint16_t server_port);

// Whether bytes seen on a connection whose open was not seen (picked up in
// the middle) begin an HTTP/2 frame: such a connection goes to the HTTP/2
// engine, which counts it (h2_preexisting) instead of the HTTP engine
// finding it unparsable.
bool looks_like_h2_frames(std::string_view bytes);

}  // namespace kscope::requests
