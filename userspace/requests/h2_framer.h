// HTTP/2 frames (RFC 9113 section 4) of one direction of a connection, cut
// out of the capture's calls: a frame header may be split between two
// calls, a frame's payload may span many. The client's direction begins
// with the connection preface, checked here.
//
// Only the payloads the session needs are kept (HEADERS, CONTINUATION,
// PUSH_PROMISE: header blocks; SETTINGS; RST_STREAM's code; GOAWAY's last
// stream id), up to kMaxH2KeptPayload bytes; other frames (DATA, PING,
// WINDOW_UPDATE, PRIORITY, unknown types) are delivered at their header
// and their payloads skipped, captured or not.
//
// Gaps: when a call moved more than was captured, the uncaptured tail is
// harmless if it lies inside a skipped payload; if it may hold a frame
// header or a kept payload, the direction is lost (kLost): what follows
// cannot be framed, and a header block missed leaves the HPACK state
// unknown. Nothing is guessed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace kscope::requests {

inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
inline constexpr size_t kH2FrameHeaderSize = 9;
// A header block (HEADERS + CONTINUATIONs) or SETTINGS payload kept at
// most: larger ones end decoding as invalid (servers default to 16 KiB
// frames; kscope captures at most 1 KiB a call, so such blocks span many
// calls anyway).
inline constexpr size_t kMaxH2KeptPayload = 16384;

enum class H2FrameType : uint8_t {
  kData = 0,
  kHeaders = 1,
  kPriority = 2,
  kRstStream = 3,
  kSettings = 4,
  kPushPromise = 5,
  kPing = 6,
  kGoAway = 7,
  kWindowUpdate = 8,
  kContinuation = 9,
};

inline constexpr uint8_t kH2FlagEndStream = 0x1;
inline constexpr uint8_t kH2FlagAck = 0x1;
inline constexpr uint8_t kH2FlagEndHeaders = 0x4;
inline constexpr uint8_t kH2FlagPadded = 0x8;
inline constexpr uint8_t kH2FlagPriority = 0x20;

struct H2Frame {
  uint8_t type = 0;
  uint8_t flags = 0;
  uint32_t stream_id = 0;
  uint32_t length = 0;       // the payload's length as the header says
  std::string_view payload;  // kept types: the first min(length, their cap) bytes; others: empty
  uint64_t timestamp_ns = 0;  // the call that carried the frame's header
};

// Whether the 9 bytes at the start of `b` are a plausible frame header:
// a known type, a length and stream id that type allows, no unknown
// flags. For recognising connections picked up in the middle.
bool h2_plausible_frame_header(std::string_view b);

class H2FrameReader {
 public:
  enum class State : uint8_t { kOk, kLost, kInvalid, kNoPreface };
  using FrameSink = std::function<bool(const H2Frame&)>;  // false: stop reading

  // expect_preface: the client's direction. carried: the bytes kept by
  // every reader of an engine together, bounded by max_carried (past it
  // a direction is lost rather than grow).
  H2FrameReader(bool expect_preface, size_t& carried, size_t max_carried);
  ~H2FrameReader();
  H2FrameReader(const H2FrameReader&) = delete;
  H2FrameReader& operator=(const H2FrameReader&) = delete;

  // One call: its captured prefix and the bytes it moved. Frames go to
  // `sink` as their headers (and kept payloads) complete.
  State feed(std::string_view prefix, uint32_t total, uint64_t timestamp_ns, const FrameSink& sink);

  State state() const { return state_; }
  size_t kept() const { return buffer_.size(); }

 private:
  // Consumes captured bytes; false once the state is no longer kOk.
  bool consume(std::string_view& in, uint64_t ts, const FrameSink& sink);
  bool begin_frame(uint64_t ts, const FrameSink& sink);
  void keep(std::string_view bytes);
  void release();

  size_t& carried_;
  size_t max_carried_;
  State state_ = State::kOk;
  size_t preface_left_;      // preface bytes still to check
  std::string buffer_;       // the frame header, then the kept payload
  H2Frame frame_;            // the frame whose payload is being read
  bool in_payload_ = false;  // past the frame header
  size_t keep_left_ = 0;     // payload bytes still to keep
  uint64_t skip_left_ = 0;   // payload bytes to skip after them
};

}  // namespace kscope::requests
