// Where an HTTP/1.x message body ends, followed across the reads or writes
// that carry it. Only the first bytes of each call are captured; the rest
// are known by count only. A Content-Length body is followed by counting
// whatever was captured; a chunked body by reading chunk sizes, skipping
// uncaptured bytes only while they lie inside a chunk's data. When a chunk
// header falls in bytes that were not captured, the framing is lost and the
// caller must resynchronise on the next message start.
#pragma once

#include <cstdint>
#include <string_view>

namespace kscope::requests {

class BodyFramer {
 public:
  enum class Mode : uint8_t {
    kNone,        // no body in progress: the next byte begins a message
    kLength,      // `remaining` bytes of a Content-Length body
    kChunked,     // a chunked body
    kUntilClose,  // a response body delimited by the connection's close
    kLost,        // framing could not be followed
  };

  void start_length(uint64_t n) {
    *this = BodyFramer{};
    if (n > 0) {
      mode_ = Mode::kLength;
      remaining_ = n;
    }
  }
  void start_chunked() {
    *this = BodyFramer{};
    mode_ = Mode::kChunked;
  }
  void start_until_close() {
    *this = BodyFramer{};
    mode_ = Mode::kUntilClose;
  }
  void reset() { *this = BodyFramer{}; }

  Mode mode() const { return mode_; }
  bool in_body() const { return mode_ != Mode::kNone; }

  // Consumes body bytes: `seen` are captured bytes, followed in the same
  // call by `unseen` bytes that were not captured. Returns how many of the
  // seen+unseen bytes belong to the body; when the body ends inside them,
  // mode() is kNone afterwards and the rest begins the next message. On
  // kUntilClose and kLost everything is consumed.
  uint64_t consume(std::string_view seen, uint64_t unseen);

 private:
  enum class Chunk : uint8_t { kSize, kExtension, kData, kDataEnd, kTrailerStart, kTrailerLine };

  uint64_t consume_chunked(std::string_view seen, uint64_t unseen);

  Mode mode_ = Mode::kNone;
  uint64_t remaining_ = 0;  // kLength: body bytes left; chunk data bytes left
  Chunk chunk_ = Chunk::kSize;
  uint8_t size_digits_ = 0;
};

}  // namespace kscope::requests
