// Which protocol a connection speaks, from its first bytes: so that the
// agent can hand each connection to one engine (http_engine.h, or a
// db_engine.h per database system). The bytes decide where they can; the
// server's port is a hint only where they are ambiguous (a Redis reply or
// inline command, a PostgreSQL message or a MySQL command in the middle of
// a connection): 6379 for Redis, 5432 for PostgreSQL, 3306 for MySQL. A
// MySQL server speaks first: its connections are recognised by the
// greeting (protocol 10 and a version string), which both ends see first.
// Whatever is not recognised is kUnknown, never a guess: TLS, HTTP/2, SSH,
// SMTP, binary noise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kscope::requests {

enum class L7Protocol : uint8_t { kUnknown, kHttp, kRedis, kPostgres, kMySql };
inline constexpr size_t kL7ProtocolCount = 5;

// "unknown", "http", "redis", "postgresql", "mysql"
std::string_view l7_protocol_name(L7Protocol p);

// first_bytes: the captured start of the first read or write seen on the
// connection (either direction); server_port: the server's port, 0 when
// not known.
L7Protocol recognize_protocol(std::string_view first_bytes, uint16_t server_port);

}  // namespace kscope::requests
