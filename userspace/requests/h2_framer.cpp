#include "requests/h2_framer.h"

#include <algorithm>

namespace kscope::requests {
namespace {

// The default SETTINGS_MAX_FRAME_SIZE: larger frames are possible once a
// peer allows them, but a connection picked up in the middle is only
// recognised by frames within it.
constexpr uint32_t kDefaultMaxFrame = 16384;

uint32_t be24(std::string_view b) {
  return uint32_t{uint8_t(b[0])} << 16 | uint32_t{uint8_t(b[1])} << 8 | uint8_t(b[2]);
}

uint32_t be32(std::string_view b) {
  return uint32_t{uint8_t(b[0])} << 24 | uint32_t{uint8_t(b[1])} << 16 | uint32_t{uint8_t(b[2])} << 8 |
         uint8_t(b[3]);
}

// How much of a frame's payload the session needs, 0 for none.
size_t kept_length(const H2Frame& f) {
  switch (static_cast<H2FrameType>(f.type)) {
    case H2FrameType::kHeaders:
    case H2FrameType::kContinuation:
    case H2FrameType::kPushPromise:
    case H2FrameType::kSettings: return f.length;
    case H2FrameType::kRstStream: return std::min<size_t>(f.length, 4);
    case H2FrameType::kGoAway: return std::min<size_t>(f.length, 8);  // last stream id, error code
    default: return 0;
  }
}

}  // namespace

bool h2_plausible_frame_header(std::string_view b) {
  if (b.size() < kH2FrameHeaderSize) return false;
  const uint32_t length = be24(b);
  const uint8_t type = uint8_t(b[3]);
  const uint8_t flags = uint8_t(b[4]);
  const uint32_t raw_stream = be32(b.substr(5));
  if (raw_stream & 0x80000000u || length > kDefaultMaxFrame) return false;
  const bool on_stream = raw_stream != 0;
  auto only = [flags](uint8_t allowed) { return (flags & ~allowed) == 0; };
  switch (static_cast<H2FrameType>(type)) {
    case H2FrameType::kData: return on_stream && only(kH2FlagEndStream | kH2FlagPadded);
    case H2FrameType::kHeaders:
      return on_stream && only(kH2FlagEndStream | kH2FlagEndHeaders | kH2FlagPadded | kH2FlagPriority);
    case H2FrameType::kPriority: return on_stream && length == 5 && flags == 0;
    case H2FrameType::kRstStream: return on_stream && length == 4 && flags == 0;
    case H2FrameType::kSettings:
      return !on_stream && only(kH2FlagAck) && length % 6 == 0 && (flags == 0 || length == 0);
    case H2FrameType::kPushPromise: return on_stream && only(kH2FlagEndHeaders | kH2FlagPadded);
    case H2FrameType::kPing: return !on_stream && length == 8 && only(kH2FlagAck);
    case H2FrameType::kGoAway: return !on_stream && length >= 8 && flags == 0;
    case H2FrameType::kWindowUpdate: return length == 4 && flags == 0;
    case H2FrameType::kContinuation: return on_stream && only(kH2FlagEndHeaders);
  }
  return false;
}

H2FrameReader::H2FrameReader(bool expect_preface, size_t& carried, size_t max_carried)
    : carried_(carried), max_carried_(max_carried), preface_left_(expect_preface ? kH2Preface.size() : 0) {}

H2FrameReader::~H2FrameReader() { release(); }

void H2FrameReader::keep(std::string_view bytes) {
  if (carried_ + bytes.size() > max_carried_) {
    state_ = State::kLost;  // the engine's budget for partial frames is spent
    return;
  }
  buffer_.append(bytes);
  carried_ += bytes.size();
}

void H2FrameReader::release() {
  carried_ -= std::min(carried_, buffer_.size());
  buffer_.clear();
}

bool H2FrameReader::begin_frame(uint64_t ts, const FrameSink& sink) {
  std::string_view h = buffer_;
  frame_ = H2Frame{};
  frame_.length = be24(h);
  frame_.type = uint8_t(h[3]);
  frame_.flags = uint8_t(h[4]);
  frame_.stream_id = be32(h.substr(5)) & 0x7fffffffu;
  frame_.timestamp_ns = ts;
  keep_left_ = kept_length(frame_);
  if (keep_left_ > kMaxH2KeptPayload) {
    state_ = State::kInvalid;
    return false;
  }
  skip_left_ = frame_.length - keep_left_;
  in_payload_ = true;
  if (keep_left_ == 0) {
    if (!sink(frame_)) {
      state_ = State::kInvalid;
      return false;
    }
    if (skip_left_ == 0) {
      in_payload_ = false;
      release();
    }
  }
  return true;
}

bool H2FrameReader::consume(std::string_view& in, uint64_t ts, const FrameSink& sink) {
  while (!in.empty() && state_ == State::kOk) {
    if (preface_left_ > 0) {
      const size_t done = kH2Preface.size() - preface_left_;
      const size_t n = std::min(preface_left_, in.size());
      if (in.substr(0, n) != kH2Preface.substr(done, n)) {
        state_ = State::kNoPreface;
        return false;
      }
      preface_left_ -= n;
      in.remove_prefix(n);
      continue;
    }
    if (!in_payload_) {
      const size_t n = std::min(kH2FrameHeaderSize - buffer_.size(), in.size());
      keep(in.substr(0, n));
      in.remove_prefix(n);
      if (state_ == State::kOk && buffer_.size() == kH2FrameHeaderSize) begin_frame(ts, sink);
      continue;
    }
    if (keep_left_ > 0) {
      const size_t n = std::min(keep_left_, in.size());
      keep(in.substr(0, n));
      in.remove_prefix(n);
      keep_left_ -= n;
      if (state_ != State::kOk || keep_left_ > 0) continue;
      H2Frame f = frame_;
      f.payload = std::string_view(buffer_).substr(kH2FrameHeaderSize);
      if (!sink(f)) {
        state_ = State::kInvalid;
        return false;
      }
    } else {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(skip_left_, in.size()));
      skip_left_ -= n;
      in.remove_prefix(n);
    }
    if (keep_left_ == 0 && skip_left_ == 0) {
      in_payload_ = false;
      release();
    }
  }
  return state_ == State::kOk;
}

H2FrameReader::State H2FrameReader::feed(std::string_view prefix, uint32_t total, uint64_t timestamp_ns,
                                         const FrameSink& sink) {
  if (state_ != State::kOk) return state_;
  std::string_view in = prefix;
  if (!consume(in, timestamp_ns, sink)) {
    release();
    return state_;
  }
  const uint64_t gap = total > prefix.size() ? total - prefix.size() : 0;
  if (gap == 0) return state_;
  // The tail the capture did not keep: harmless only inside a payload
  // that is skipped anyway.
  if (preface_left_ == 0 && in_payload_ && keep_left_ == 0 && skip_left_ >= gap) {
    skip_left_ -= gap;
    if (skip_left_ == 0) {
      in_payload_ = false;
      release();
    }
    return state_;
  }
  state_ = State::kLost;
  release();
  return state_;
}

}  // namespace kscope::requests
