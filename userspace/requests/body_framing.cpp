#include "requests/body_framing.h"

#include <algorithm>

namespace kscope::requests {
namespace {

// The value of one hex digit of a chunk size, -1 for any other byte.
int hex_value(char c) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  size_t v = kDigits.find(c);
  return v == std::string_view::npos ? -1 : static_cast<int>(v);
}

}  // namespace

uint64_t BodyFramer::consume(std::string_view seen, uint64_t unseen) {
  const uint64_t total = seen.size() + unseen;
  switch (mode_) {
    case Mode::kNone:
      return 0;
    case Mode::kLength: {
      uint64_t n = std::min(remaining_, total);
      remaining_ -= n;
      if (remaining_ == 0) mode_ = Mode::kNone;
      return n;
    }
    case Mode::kChunked:
      return consume_chunked(seen, unseen);
    case Mode::kUntilClose:
    case Mode::kLost:
      return total;
  }
  return total;
}

uint64_t BodyFramer::consume_chunked(std::string_view seen, uint64_t unseen) {
  size_t pos = 0;
  while (pos < seen.size()) {
    char c = seen[pos];
    switch (chunk_) {
      case Chunk::kSize: {
        int v = hex_value(c);
        if (v >= 0) {
          // 15 hex digits: chunks up to 2^60 bytes; more is not a real body.
          if (++size_digits_ > 15) {
            mode_ = Mode::kLost;
            return seen.size() + unseen;
          }
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(v);
          ++pos;
          break;
        }
        if (size_digits_ == 0) {
          mode_ = Mode::kLost;
          return seen.size() + unseen;
        }
        chunk_ = Chunk::kExtension;
        break;
      }
      case Chunk::kExtension:
        // Chunk extensions and the CR: skipped up to the line feed.
        ++pos;
        if (c == '\n') {
          size_digits_ = 0;
          // A zero size is the last chunk; trailer fields follow.
          chunk_ = remaining_ == 0 ? Chunk::kTrailerStart : Chunk::kData;
        }
        break;
      case Chunk::kData: {
        uint64_t n = std::min<uint64_t>(remaining_, seen.size() - pos);
        pos += static_cast<size_t>(n);
        remaining_ -= n;
        if (remaining_ == 0) chunk_ = Chunk::kDataEnd;
        break;
      }
      case Chunk::kDataEnd:
        // The CRLF after the data.
        ++pos;
        if (c == '\n') chunk_ = Chunk::kSize;
        else if (c != '\r') {
          mode_ = Mode::kLost;
          return seen.size() + unseen;
        }
        break;
      case Chunk::kTrailerStart:
        ++pos;
        if (c == '\n') {
          // The empty line after the last chunk: the body ends here.
          *this = BodyFramer{};
          return pos;
        }
        if (c != '\r') chunk_ = Chunk::kTrailerLine;
        break;
      case Chunk::kTrailerLine:
        ++pos;
        if (c == '\n') chunk_ = Chunk::kTrailerStart;
        break;
    }
  }
  // Uncaptured bytes can be skipped only inside chunk data.
  if (unseen == 0) return seen.size();
  if (chunk_ == Chunk::kData && remaining_ >= unseen) {
    remaining_ -= unseen;
    if (remaining_ == 0) chunk_ = Chunk::kDataEnd;
    return seen.size() + unseen;
  }
  mode_ = Mode::kLost;
  return seen.size() + unseen;
}

}  // namespace kscope::requests
