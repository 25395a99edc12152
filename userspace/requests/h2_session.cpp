#include "requests/h2_session.h"

#include <algorithm>

namespace kscope::requests {
namespace {

constexpr int kGrpcUnknown = 2;
constexpr uint32_t kSettingsHeaderTableSize = 1;
constexpr uint32_t kRefusedStream = 7;

uint32_t be32(std::string_view b) {
  return uint32_t{uint8_t(b[0])} << 24 | uint32_t{uint8_t(b[1])} << 16 | uint32_t{uint8_t(b[2])} << 8 |
         uint8_t(b[3]);
}

// A HEADERS or PUSH_PROMISE payload without its padding, priority or
// promised stream id: the header block fragment. False when malformed.
bool fragment_of(const H2Frame& f, std::string_view& out) {
  std::string_view p = f.payload;
  if (f.flags & kH2FlagPadded) {
    if (p.empty()) return false;
    size_t pad = uint8_t(p[0]);
    p.remove_prefix(1);
    if (pad > p.size()) return false;
    p.remove_suffix(pad);
  }
  size_t skip = 0;
  if (f.type == uint8_t(H2FrameType::kHeaders) && (f.flags & kH2FlagPriority)) skip = 5;
  if (f.type == uint8_t(H2FrameType::kPushPromise)) skip = 4;
  if (p.size() < skip) return false;
  out = p.substr(skip);
  return true;
}

}  // namespace

int grpc_status_of_reset(uint32_t code) {
  switch (code) {
    case 8: return 1;    // CANCEL -> CANCELLED
    case 7: return 14;   // REFUSED_STREAM -> UNAVAILABLE
    case 11: return 8;   // ENHANCE_YOUR_CALM -> RESOURCE_EXHAUSTED
    case 12: return 7;   // INADEQUATE_SECURITY -> PERMISSION_DENIED
    default: return 13;  // INTERNAL
  }
}

int grpc_status_of_http(int status) {
  switch (status) {
    case 400: return 13;  // INTERNAL
    case 401: return 16;  // UNAUTHENTICATED
    case 403: return 7;   // PERMISSION_DENIED
    case 404: return 12;  // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504: return 14;  // UNAVAILABLE
    default: return kGrpcUnknown;
  }
}

H2Session::H2Session(H2Limits limits, size_t& carried)
    : limits_(limits),
      carried_(carried),
      client_(true, carried, limits.max_carried_bytes),
      server_(false, carried, limits.max_carried_bytes) {}

H2Session::~H2Session() {
  clear_block(client_.block);
  clear_block(server_.block);
}

bool H2Session::grow_block(Block& block, std::string_view fragment) {
  if (block.bytes.size() + fragment.size() > kMaxH2KeptPayload) return false;
  if (carried_ + fragment.size() > limits_.max_carried_bytes) {
    over_budget_ = true;
    return false;
  }
  block.bytes.append(fragment);
  carried_ += fragment.size();
  return true;
}

void H2Session::clear_block(Block& block) {
  carried_ -= std::min(carried_, block.bytes.size());
  block = Block{};
}

uint64_t H2Session::unanswered() const {
  return static_cast<uint64_t>(
      std::count_if(streams_.begin(), streams_.end(), [](const Stream& s) { return s.grpc || !s.answered; }));
}

void H2Session::stop(DropReason reason, H2Events& events) {
  if (stopped_) return;
  stopped_ = true;
  events.on_drop(reason, 1 + unanswered());
  streams_.clear();
  clear_block(client_.block);
  clear_block(server_.block);
}

void H2Session::mark_preexisting(H2Events& events) { stop(DropReason::kH2Preexisting, events); }

void H2Session::on_call(bool from_client, std::string_view prefix, uint32_t total, uint64_t timestamp_ns,
                        H2Events& events) {
  if (stopped_) return;
  Side& side = from_client ? client_ : server_;
  auto state = side.reader.feed(prefix, total, timestamp_ns,
                                [&](const H2Frame& f) { return on_frame(from_client, f, events); });
  switch (state) {
    case H2FrameReader::State::kOk: return;
    case H2FrameReader::State::kLost: stop(DropReason::kTruncated, events); return;
    case H2FrameReader::State::kNoPreface: stop(DropReason::kH2Preexisting, events); return;
    case H2FrameReader::State::kInvalid:
      // A header block past the engine's budget of kept bytes is lost
      // for room, not for being wrong.
      stop(over_budget_ ? DropReason::kTruncated : DropReason::kUnparsed, events);
      return;
  }
}

H2Session::Stream* H2Session::find(uint32_t id, size_t& index) {
  for (size_t i = 0; i < streams_.size(); ++i) {
    if (streams_[i].id == id) {
      index = i;
      return &streams_[i];
    }
  }
  return nullptr;
}

void H2Session::erase(size_t index) { streams_.erase(streams_.begin() + static_cast<std::ptrdiff_t>(index)); }

bool H2Session::on_frame(bool from_client, const H2Frame& f, H2Events& events) {
  if (stopped_) return false;
  Side& side = from_client ? client_ : server_;
  const auto type = static_cast<H2FrameType>(f.type);
  if (!from_client && side.first_frame && (type != H2FrameType::kSettings || (f.flags & kH2FlagAck))) {
    // A server's first frame is its SETTINGS: this connection began earlier.
    stop(DropReason::kH2Preexisting, events);
    return false;
  }
  side.first_frame = false;
  if (side.block.open && type != H2FrameType::kContinuation) return false;  // RFC 9113 6.10
  switch (type) {
    case H2FrameType::kHeaders:
    case H2FrameType::kPushPromise: {
      std::string_view fragment;
      if (f.stream_id == 0 || !fragment_of(f, fragment)) return false;
      if (type == H2FrameType::kPushPromise && from_client) return false;
      side.block = Block{true, type == H2FrameType::kPushPromise, f.stream_id, (f.flags & kH2FlagEndStream) != 0,
                         f.timestamp_ns, {}};
      if (!grow_block(side.block, fragment)) return false;
      break;
    }
    case H2FrameType::kContinuation:
      if (!side.block.open || side.block.stream_id != f.stream_id) return false;
      if (!grow_block(side.block, f.payload)) return false;
      break;
    case H2FrameType::kData:
      if (!from_client && (f.flags & kH2FlagEndStream)) {
        size_t i = 0;
        if (Stream* s = find(f.stream_id, i)) {
          if (s->grpc) {
            finish(i, f.timestamp_ns, s->status == 200 ? kGrpcUnknown : grpc_status_of_http(s->status), events);
          } else {
            if (!s->answered) events.on_drop(DropReason::kUnparsed, 1);  // a body before any :status
            erase(i);
          }
        }
      }
      return true;
    case H2FrameType::kRstStream:
      on_reset(f.stream_id, f.payload.size() == 4 ? be32(f.payload) : 0, f.timestamp_ns, events);
      return true;
    case H2FrameType::kGoAway:
      if (!from_client && f.payload.size() >= 4) {
        // Streams past the last one the server processed were not served.
        const uint32_t last = be32(f.payload) & 0x7fffffffu;
        std::vector<uint32_t> refused;
        for (const Stream& s : streams_) {
          if (s.id > last) refused.push_back(s.id);
        }
        for (uint32_t id : refused) on_reset(id, kRefusedStream, f.timestamp_ns, events);
      }
      return true;
    case H2FrameType::kSettings:
      if (f.flags & kH2FlagAck) return true;
      if (f.payload.size() % 6 != 0) return false;
      for (size_t at = 0; at + 6 <= f.payload.size(); at += 6) {
        std::string_view e = f.payload.substr(at, 6);
        const uint32_t id = uint32_t{uint8_t(e[0])} << 8 | uint8_t(e[1]);
        // The sender's decoder limits the other side's encoder.
        if (id == kSettingsHeaderTableSize && !(from_client ? server_ : client_).hpack.set_table_limit(be32(e.substr(2)))) {
          return false;
        }
      }
      return true;
    default: return true;
  }
  if (!(f.flags & kH2FlagEndHeaders)) return true;
  Block block = std::move(side.block);
  carried_ -= std::min(carried_, block.bytes.size());
  side.block = Block{};
  return on_header_block(from_client, block, events);
}

bool H2Session::on_header_block(bool from_client, const Block& b, H2Events& events) {
  H2HeaderFields h;
  if (!(from_client ? client_ : server_).hpack.decode(b.bytes, h)) return false;
  if (b.push) return true;
  if (from_client) return on_request_headers(b, h, events);
  on_response_headers(b, h, events);
  return true;
}

bool H2Session::on_request_headers(const Block& b, const H2HeaderFields& h, H2Events& events) {
  // Client streams open in increasing order: a block on an older one is
  // its request's trailers.
  if (b.stream_id <= last_request_id_) return true;
  last_request_id_ = b.stream_id;
  if (h.method.empty()) {
    events.on_drop(DropReason::kUnparsed, 1);
    return true;
  }
  if (streams_.size() >= limits_.max_streams) {
    events.on_drop(DropReason::kInFlightFull, 1);
    return true;
  }
  Stream s;
  s.id = b.stream_id;
  s.grpc = h.content_type.rfind("application/grpc", 0) == 0;
  s.request_ns = b.timestamp_ns;
  s.method = h.method;
  s.path = h.path;
  s.authority = h.authority;
  streams_.push_back(std::move(s));
  return true;
}

void H2Session::on_response_headers(const Block& b, const H2HeaderFields& h, H2Events& events) {
  size_t i = 0;
  Stream* s = find(b.stream_id, i);
  if (!s) return;  // not followed (the table was full, or its request not seen)
  if (!s->answered) {
    if (h.status >= 100 && h.status < 200 && !b.end_stream) return;  // informational
    if (h.status < 0) {
      events.on_drop(DropReason::kUnparsed, 1);
      erase(i);
      return;
    }
    s->answered = true;
    s->status = h.status;
    if (!s->grpc) {
      H2Call call{false, s->method, s->path, s->authority, s->status, -1, s->request_ns, b.timestamp_ns};
      events.on_call(call);
      if (b.end_stream) erase(i);
      return;
    }
  }
  if (!s->grpc) {
    if (b.end_stream) erase(i);  // the response's trailers
    return;
  }
  // A gRPC call's trailers, or its trailers-only response.
  if (h.grpc_status >= 0) {
    finish(i, b.timestamp_ns, h.grpc_status, events);
  } else if (b.end_stream) {
    finish(i, b.timestamp_ns, s->status == 200 ? kGrpcUnknown : grpc_status_of_http(s->status), events);
  }
}

void H2Session::finish(size_t index, uint64_t response_ns, int grpc_status, H2Events& events) {
  const Stream& s = streams_[index];
  H2Call call{s.grpc, s.method, s.path, s.authority, s.status, grpc_status, s.request_ns, response_ns};
  events.on_call(call);
  erase(index);
}

void H2Session::on_reset(uint32_t stream_id, uint32_t code, uint64_t ts, H2Events& events) {
  size_t i = 0;
  Stream* s = find(stream_id, i);
  if (!s) return;
  if (s->grpc) {
    finish(i, ts, grpc_status_of_reset(code), events);
    return;
  }
  if (!s->answered) events.on_drop(DropReason::kStreamReset, 1);
  erase(i);
}

}  // namespace kscope::requests
