// One HTTP/2 connection as the request engine follows it: its two
// directions framed (h2_framer.h), one HPACK decoder per direction
// (hpack_decoder.h), and its streams matched by id into finished calls.
//
// A stream is a request when the client's HEADERS open it (:method,
// :path, :authority; content-type application/grpc* makes it a gRPC
// call), answered by the server's first HEADERS with a final :status.
// END_STREAM ends a side; RST_STREAM ends the stream (a gRPC call with
// the status gRPC's HTTP/2 mapping gives the reset's code, an HTTP
// request not yet answered as a drop, stream_reset); GOAWAY ends the
// streams past its last stream id the same way.
//
// Timing, as HTTP/1's (exchange_matcher.h), from the capture's stamps:
// - HTTP: server: the read that brought the request's HEADERS -> the
//   write of the response's HEADERS; client: the write of the request's
//   HEADERS -> the read that brought the response's HEADERS.
// - gRPC: the same start -> the trailers (grpc-status), or the
//   trailers-only response.
//
// Once a direction is lost (a gap that may hide a frame header or a
// header block: truncated), invalid (a protocol or HPACK error, a bound
// exceeded: unparsed) or did not start as HTTP/2 starts (picked up in the
// middle: h2_preexisting), the connection is no longer decoded: the
// reason is counted once, and each stream still waiting with it.
//
// Bounded: max_streams open streams per connection (past it, new ones are
// counted in_flight_full), kept bytes shared by all sessions (carried).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "requests/drop_reason.h"
#include "requests/h2_framer.h"
#include "requests/hpack_decoder.h"

namespace kscope::requests {

struct H2Limits {
  size_t max_streams = 128;           // per connection
  size_t max_carried_bytes = 4 << 20;  // kept partial frames, all connections
};

// One finished stream. Views live for the callback only.
struct H2Call {
  bool grpc = false;
  std::string_view method;     // :method as sent (the engine canonicalises it)
  std::string_view path;       // :path as sent, at most kMaxKeptHeaderValue bytes
  std::string_view authority;  // :authority
  int status = 0;              // HTTP :status (0 when a gRPC call was reset before it)
  int grpc_status = -1;        // gRPC calls: the code (0 OK ... 16)
  uint64_t request_ns = 0;
  uint64_t response_ns = 0;
};

class H2Events {
 public:
  virtual ~H2Events() = default;
  virtual void on_call(const H2Call& call) = 0;
  virtual void on_drop(DropReason reason, uint64_t n) = 0;
};

class H2Session {
 public:
  // carried: shared by the engine's sessions (its budget is
  // limits.max_carried_bytes).
  H2Session(H2Limits limits, size_t& carried);
  ~H2Session();
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;

  // One call on the connection: from_client says which direction.
  void on_call(bool from_client, std::string_view prefix, uint32_t total, uint64_t timestamp_ns, H2Events& events);
  // The connection was picked up in the middle: counted once, never decoded.
  void mark_preexisting(H2Events& events);

  // Streams still waiting for their answer (counted by the engine when
  // the connection goes).
  uint64_t unanswered() const;
  bool decoding() const { return !stopped_; }

 private:
  struct Stream {
    uint32_t id = 0;
    bool grpc = false;
    bool answered = false;  // final response HEADERS seen
    int status = 0;
    uint64_t request_ns = 0;
    std::string method, path, authority;
  };
  // A header block being put together from HEADERS and CONTINUATIONs.
  struct Block {
    bool open = false;
    bool push = false;  // PUSH_PROMISE's: decoded for the HPACK state, then dropped
    uint32_t stream_id = 0;
    bool end_stream = false;
    uint64_t timestamp_ns = 0;
    std::string bytes;
  };
  struct Side {
    Side(bool client, size_t& carried, size_t max) : reader(client, carried, max) {}
    H2FrameReader reader;
    HpackDecoder hpack;
    Block block;
    bool first_frame = true;
  };

  bool on_frame(bool from_client, const H2Frame& f, H2Events& events);
  bool on_header_block(bool from_client, const Block& b, H2Events& events);
  bool on_request_headers(const Block& b, const H2HeaderFields& h, H2Events& events);
  void on_response_headers(const Block& b, const H2HeaderFields& h, H2Events& events);
  void on_end_of_response(size_t index, uint64_t ts, int grpc_status, H2Events& events);
  void on_reset(uint32_t stream_id, uint32_t code, uint64_t ts, H2Events& events);
  void finish(size_t index, uint64_t response_ns, int grpc_status, H2Events& events);
  void stop(DropReason reason, H2Events& events);
  // Adds a fragment to a side's header block within the engine's budget
  // of kept bytes; false when it is spent (over_budget_).
  bool grow_block(Block& block, std::string_view fragment);
  void clear_block(Block& block);
  Stream* find(uint32_t id, size_t& index);
  void erase(size_t index);

  H2Limits limits_;
  size_t& carried_;
  bool over_budget_ = false;
  Side client_;  // what the client sends
  Side server_;  // what the server sends
  std::vector<Stream> streams_;
  uint32_t last_request_id_ = 0;  // highest stream the client opened
  bool stopped_ = false;
};

// gRPC's status for a stream reset with HTTP/2 error `code` (gRPC's
// PROTOCOL-HTTP2 mapping): CANCEL -> CANCELLED, REFUSED_STREAM ->
// UNAVAILABLE, ENHANCE_YOUR_CALM -> RESOURCE_EXHAUSTED,
// INADEQUATE_SECURITY -> PERMISSION_DENIED, else INTERNAL.
int grpc_status_of_reset(uint32_t code);
// gRPC's status for a response without grpc-status, from its HTTP status.
int grpc_status_of_http(int status);

}  // namespace kscope::requests
