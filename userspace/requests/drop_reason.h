// Every way the request engine can miss a request, by the name it carries
// in kscope_l7_dropped_total{protocol,reason}. The kernel side counts its
// own losses (ring buffer full, unreadable memory, ...) under the same
// metric; these are the ones only the parsers and the matcher can see.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace kscope::requests {

enum class DropReason : uint8_t {
  // The captured prefix ended inside a request or status line, or a message
  // began past the captured bytes of a call: method, target or status are
  // not known.
  kTruncated = 0,
  // Bytes where a message must begin (a new connection, or the end of the
  // previous message) that are not HTTP/1.x, on a connection that is.
  kUnparsed,
  // A response with no request waiting for it (its request was sent before
  // kscope started watching, or was itself dropped).
  kResponseWithoutRequest,
  // The connection closed, or its fd was reused, while requests waited for
  // their responses.
  kClosedInFlight,
  // More requests in flight on one connection than the matcher keeps.
  kInFlightFull,
  // A new connection while the connection table was full of active ones.
  kTableFull,
  // An idle connection forgotten while requests still waited on it.
  kEvictedInFlight,
  // A response stamped before its request (clocks or capture out of order).
  kOutOfOrder,
  // A connection that switched to TLS inside its own protocol (PostgreSQL's
  // SSLRequest accepted, MySQL's SSL request): none of its requests can be read. Counted once
  // per connection, not per request.
  kEncrypted,
  // HTTP/2: a stream reset (RST_STREAM) or refused (past a GOAWAY's last
  // stream) before its response began.
  kStreamReset,
  // HTTP/2: a connection whose start was not seen (picked up in the
  // middle): its HPACK state is unknown, so it is not decoded. Once per
  // connection.
  kH2Preexisting,
  kCount,
};

inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::kCount);

// The label value ("truncated", "unparsed", ...).
std::string_view drop_reason_name(DropReason r);

using DropCounts = std::array<uint64_t, kDropReasonCount>;

inline constexpr const char* kDroppedMetric = "kscope_l7_dropped_total";

// Adds one series per reason (zeros included) for `protocol` to the
// kscope_l7_dropped_total family in `out`, creating the family when it is
// not there yet: every engine (http, redis, postgresql, mysql) adds its own.
void append_drops(std::vector<Family>& out, std::string_view protocol, const DropCounts& drops);

}  // namespace kscope::requests
