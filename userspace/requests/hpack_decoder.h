// One direction's HPACK decoding state (RFC 7541) on Debian's libnghttp2
// inflater, and the few header fields the HTTP/2 session keeps from each
// header block: the pseudo-headers, content-type and grpc-status. Every
// block of a direction must be decoded in order, kept fields or not: each
// may change the dynamic table the next ones refer to.
//
// Bounded: a block yields at most kMaxHpackFields fields (an HPACK bomb
// of references to one large table entry ends as invalid, not as
// gigabytes of headers), the dynamic table at most kMaxHpackTable bytes
// whatever the peer's SETTINGS allow, kept values cut to their caps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct nghttp2_hd_inflater;

namespace kscope::requests {

inline constexpr size_t kMaxHpackFields = 256;
inline constexpr uint32_t kMaxHpackTable = 65536;
inline constexpr size_t kMaxKeptHeaderValue = 256;

// What a header block said that the session uses. -1: absent or not a number.
struct H2HeaderFields {
  std::string method;        // :method, at most 16 bytes
  std::string path;          // :path, at most kMaxKeptHeaderValue bytes
  std::string authority;     // :authority
  std::string content_type;  // at most 64 bytes
  int status = -1;           // :status
  int grpc_status = -1;      // grpc-status
};

class HpackDecoder {
 public:
  HpackDecoder();
  ~HpackDecoder();
  HpackDecoder(const HpackDecoder&) = delete;
  HpackDecoder& operator=(const HpackDecoder&) = delete;

  // Decodes one complete header block; false when it is not valid HPACK
  // or exceeds the bounds (the direction's state is then unknown).
  bool decode(std::string_view block, H2HeaderFields& out);
  // The decoding peer's SETTINGS_HEADER_TABLE_SIZE (capped).
  bool set_table_limit(uint32_t bytes);
  bool ok() const { return inflater_ != nullptr; }

 private:
  nghttp2_hd_inflater* inflater_ = nullptr;
};

}  // namespace kscope::requests
