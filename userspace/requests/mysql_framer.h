// One direction of a MySQL/MariaDB connection (the classic protocol, 4.1
// and later) cut into packets: a 3-byte little-endian payload length and a
// 1-byte sequence id, then the payload. A payload of 0xffffff bytes is
// continued by the next packet (a message of 16 MiB or more); that next
// packet is reported as a continuation, never as a message of its own.
//
// The kernel may hand over a header and its payload in separate calls
// (mysqld reads the 4-byte header, then the payload): a header split over
// calls is reassembled, and a payload split over calls is kept up to
// `kept_bytes` (the owner reads only a payload's beginning). A payload is
// skipped by counting whether its bytes were captured or not; a header in
// bytes the capture did not keep cannot be followed, and the framer stops
// (lost()) until the owner restarts it at the start of a later call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kscope::requests {

inline constexpr uint32_t kMySqlMaxPayload = 0xffffff;  // a longer message continues in the next packet
inline constexpr size_t kMaxMySqlKept = 2048;           // the most kept of a payload split over calls

// Little-endian integers as the protocol writes them (the caller checks
// the size).
inline uint32_t mysql_le16(std::string_view b) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[0])) | static_cast<uint32_t>(static_cast<uint8_t>(b[1])) << 8;
}
inline uint32_t mysql_le24(std::string_view b) {
  return mysql_le16(b) | static_cast<uint32_t>(static_cast<uint8_t>(b[2])) << 16;
}
inline uint32_t mysql_le32(std::string_view b) {
  return mysql_le24(b) | static_cast<uint32_t>(static_cast<uint8_t>(b[3])) << 24;
}

class MySqlFramer {
 public:
  struct Packet {
    uint8_t seq = 0;
    uint32_t length = 0;        // of the payload
    std::string_view payload;   // its captured beginning (at most kept_bytes when split over calls)
    bool whole = false;         // payload holds all of it
    bool continuation = false;  // the rest of the previous packet's message
    uint64_t timestamp_ns = 0;  // of the call that brought its first byte
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_packet(const Packet& p) = 0;
    // A header fell in bytes that were not captured.
    virtual void on_lost() = 0;
  };

  explicit MySqlFramer(size_t kept_bytes) : kept_(kept_bytes < kMaxMySqlKept ? kept_bytes : kMaxMySqlKept) {}

  void on_call(std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns, Listener& listener);

  bool lost() const { return lost_; }
  void restart();
  size_t carried_bytes() const { return header_.size() + payload_.size(); }

 private:
  void finish(Listener& listener);

  size_t kept_;
  bool lost_ = false;
  std::string header_;  // a header split over calls (at most 4 bytes)
  bool in_payload_ = false;
  uint8_t seq_ = 0;
  uint32_t length_ = 0;
  uint64_t left_ = 0;
  std::string payload_;  // a payload split over calls, its first kept_ bytes
  bool whole_ = true;
  bool continued_ = false;  // the previous packet was 0xffffff bytes
  bool continuation_ = false;
  uint64_t timestamp_ns_ = 0;
};

}  // namespace kscope::requests
