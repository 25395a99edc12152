// One direction of a PostgreSQL connection (protocol 3) cut into messages:
// a type byte and a 4-byte length, then the body; the start-up messages a
// client sends first (StartupMessage, SSLRequest, GSSENCRequest,
// CancelRequest) have no type byte; a server answers SSLRequest with one
// byte. Every length is known from a header, so a body is skipped by
// counting whether its bytes were captured or not; a header in bytes the
// capture did not keep cannot be followed, and the framer stops (lost())
// until the owner restarts it at the start of a later call.
//
// Bounded: a body split over calls is kept up to kMaxPgBody bytes and only
// for the types the owner reads (kept_types); headers are at most 5 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kscope::requests {

inline constexpr size_t kMaxPgBody = 2048;

// Start-up codes (the first 4 bytes of an untyped message's body).
inline constexpr uint32_t kPgProtocol3 = 196608;  // 3.0; minor versions add to it
inline constexpr uint32_t kPgSslRequest = 80877103;
inline constexpr uint32_t kPgGssEncRequest = 80877104;
inline constexpr uint32_t kPgCancelRequest = 80877102;

// A big-endian 32-bit integer from the first 4 bytes of `b` (the caller
// checks there are 4), as the protocol writes lengths and codes.
inline uint32_t pg_be32(std::string_view b) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[0])) << 24 | static_cast<uint32_t>(static_cast<uint8_t>(b[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[2])) << 8 | static_cast<uint32_t>(static_cast<uint8_t>(b[3]));
}

class PgFramer {
 public:
  enum class Side : uint8_t { kFrontend, kBackend };

  struct Message {
    char type = 0;            // 0: an untyped start-up message; 1: the server's one-byte SSL answer
    uint32_t body_length = 0;  // without the type byte and the length
    std::string_view body;    // its captured beginning, at most kMaxPgBody bytes
    bool body_whole = false;  // body holds all of it
    uint64_t timestamp_ns = 0;  // of the call that brought its first byte
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_message(const Message& m) = 0;
    // A header fell in bytes that were not captured, or bytes broke the
    // protocol. `in_message` tells whether a message had begun.
    virtual void on_lost(bool in_message) = 0;
  };

  // kept_types: the message types whose bodies the owner reads (others are
  // reported with whatever of the body this call captured).
  PgFramer(Side side, std::string_view kept_types)
      : side_(side), kept_types_(kept_types), untyped_(side == Side::kFrontend) {}

  void on_call(std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns, Listener& listener);

  // The next frontend message is untyped (after SSLRequest refused), or the
  // next backend byte is an SSL answer.
  void expect_untyped() { untyped_ = true; }
  void expect_ssl_answer() { ssl_answer_ = true; }
  bool lost() const { return lost_; }
  void restart();
  size_t carried_bytes() const { return header_.size() + body_.size(); }

  // Whether `bytes` begin like a message of `side` (a known type and a
  // plausible length): where the owner may restart after a loss.
  static bool starts_message(Side side, std::string_view bytes);

 private:
  bool header_ok(char type, uint32_t length) const;
  void finish(Listener& listener);

  Side side_;
  std::string_view kept_types_;
  bool untyped_;              // frontend: the next message has no type byte
  bool ssl_answer_ = false;   // backend: the next byte is 'S' or 'N'
  bool lost_ = false;
  std::string header_;        // a header split over calls (at most 5 bytes)
  char type_ = 0;
  uint32_t body_length_ = 0;
  uint64_t body_left_ = 0;    // > 0 or in_body_: inside a body
  bool in_body_ = false;
  std::string body_;          // a kept body split over calls
  bool body_whole_ = true;
  uint64_t timestamp_ns_ = 0;
};

}  // namespace kscope::requests
