// One direction of one connection (what the process reads, or what it
// writes) cut into HTTP/1.x messages: heads parsed from the captured prefix
// of each call, bodies skipped by their framing, several messages in one
// call (pipelining), one head split over calls (kept up to kMaxHeadCarry
// bytes). When the framing cannot be followed (a head or chunk header in
// bytes that were not captured, an unparseable start) the stream waits for
// a call that begins with a complete request or status line.
//
// A response body may also leave by a path the capture does not see
// (sendfile, splice: nginx serves static files so): a call that begins with
// a complete response head while a request awaits its response ends the
// body in progress. A body whose own bytes hold such a head at the start
// of a write, while another request waits, is the price of that rule.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "requests/body_framing.h"
#include "requests/drop_reason.h"
#include "requests/http_parser.h"

namespace kscope::requests {

// A head split across calls is kept up to this many bytes; a longer one is
// treated as cut off (its start line still counts).
inline constexpr size_t kMaxHeadCarry = 4096;

class MessageStream {
 public:
  enum class Kind : uint8_t { kRequests, kResponses };

  // What the listener knows about a response's body from its request.
  struct BodyHint {
    bool no_body = false;  // it answers a HEAD request
    bool tunnel = false;   // the connection stops being HTTP after it
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // A message whose start line was read. `head` (and its views) lives
    // for the call only. head_complete is false when the header fields
    // were cut off: the message counts, its body framing is unknown.
    virtual BodyHint on_message(const HttpHead& head, uint64_t timestamp_ns, bool head_complete) = 0;
    virtual void on_drop(DropReason reason) = 0;
    // Whether a message is awaited: a request waits for its response.
    virtual bool awaits_message() const { return false; }
  };

  explicit MessageStream(Kind kind) : kind_(kind) {}

  // One read or write: `prefix` its captured first bytes (only the first
  // total_bytes of them are used), total_bytes what the call moved.
  void on_call(std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns, Listener& listener);

  // A head began in an earlier call and waits for its end.
  bool carrying() const { return !carry_.empty(); }
  size_t carried_bytes() const { return carry_.size(); }
  // Whether a head split over calls may be kept for the next call (the
  // owner's memory budget); when not, it is treated as cut off.
  void allow_carry(bool allowed) { carry_allowed_ = allowed; }
  // The connection switched protocols (101, CONNECT): nothing more is parsed.
  bool opaque() const { return opaque_; }
  void set_opaque() { opaque_ = true; }

 private:
  ParseStatus parse(std::string_view in, HttpHead& head) const;
  // Handles a parsed head at a message start. Returns false when the rest
  // of the call cannot be followed.
  bool start_message(const HttpHead& head, uint64_t timestamp_ns, Listener& listener);
  // A head that did not parse complete (kInvalid or kIncomplete) from
  // `bytes`: counted as a drop, kept for the next call, or cut off.
  void unfinished(ParseStatus status, const HttpHead& head, std::string_view bytes, uint64_t timestamp_ns,
                  bool whole_call, Listener& listener);
  // A head that cannot be completed: it counts if its start line was read.
  void cut_off(const HttpHead& head, uint64_t timestamp_ns, Listener& listener);
  void lose() {
    framer_.reset();
    carry_.clear();
    resync_ = true;
  }

  Kind kind_;
  BodyFramer framer_;
  std::string carry_;
  uint64_t carry_timestamp_ns_ = 0;
  bool resync_ = false;
  bool opaque_ = false;
  bool carry_allowed_ = true;
};

}  // namespace kscope::requests
