#include "requests/message_stream.h"

#include <algorithm>

namespace kscope::requests {

ParseStatus MessageStream::parse(std::string_view in, HttpHead& head) const {
  return kind_ == Kind::kRequests ? parse_request_head(in, head) : parse_response_head(in, head);
}

void MessageStream::on_call(std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns,
                            Listener& listener) {
  if (opaque_ || total_bytes == 0) return;
  if (prefix.size() > total_bytes) prefix = prefix.substr(0, static_cast<size_t>(total_bytes));
  const uint64_t captured = prefix.size();
  const bool whole_call = captured == total_bytes;
  HttpHead head;

  if (resync_) {
    // Only a call that begins with a complete start line ends the gap.
    if (parse(prefix, head) == ParseStatus::kInvalid) return;
    if (head.start_line_end == 0) {
      // A start line cut off by the capture bound: a message we cannot read.
      bool starts = kind_ == Kind::kRequests ? starts_like_request(prefix) : starts_like_response(prefix);
      if (!whole_call && starts) listener.on_drop(DropReason::kTruncated);
      return;
    }
    resync_ = false;
  }

  if (kind_ == Kind::kResponses && carry_.empty() && listener.awaits_message() &&
      (framer_.mode() == BodyFramer::Mode::kLength || framer_.mode() == BodyFramer::Mode::kChunked) &&
      parse(prefix, head) == ParseStatus::kComplete) {
    framer_.reset();  // the rest of the body went by sendfile or splice
  }

  uint64_t pos = 0;
  if (!carry_.empty()) {
    std::string combined = carry_;
    combined.append(prefix);
    ParseStatus s = parse(combined, head);
    if (s != ParseStatus::kComplete) {
      unfinished(s, head, combined, carry_timestamp_ns_, whole_call, listener);
      return;
    }
    // The carried part alone was incomplete, so the head ends in this call.
    pos = head.head_end - carry_.size();
    carry_.clear();
    if (!start_message(head, carry_timestamp_ns_, listener)) return;
  }

  while (pos < total_bytes && !opaque_) {
    if (framer_.in_body()) {
      std::string_view seen = pos < captured ? prefix.substr(static_cast<size_t>(pos)) : std::string_view{};
      uint64_t unseen = total_bytes - std::max(pos, captured);
      pos += framer_.consume(seen, unseen);
      if (framer_.mode() == BodyFramer::Mode::kLost) {
        lose();
        return;
      }
      continue;
    }
    if (pos >= captured) {
      // A message begins in bytes that were not captured.
      listener.on_drop(DropReason::kTruncated);
      lose();
      return;
    }
    std::string_view rest = prefix.substr(static_cast<size_t>(pos));
    ParseStatus s = parse(rest, head);
    if (s != ParseStatus::kComplete) {
      unfinished(s, head, rest, timestamp_ns, whole_call, listener);
      return;
    }
    pos += head.head_end;
    if (!start_message(head, timestamp_ns, listener)) return;
  }
}

bool MessageStream::start_message(const HttpHead& head, uint64_t timestamp_ns, Listener& listener) {
  BodyHint hint = listener.on_message(head, timestamp_ns, true);
  framer_.reset();
  if (kind_ == Kind::kRequests) {
    if (head.has_transfer_encoding && !head.chunked) {
      // A request body whose end only the server can know: resynchronise.
      lose();
      return false;
    }
    if (head.chunked) framer_.start_chunked();
    else if (head.content_length) framer_.start_length(*head.content_length);
    return true;
  }
  if (hint.tunnel) {
    opaque_ = true;
    return false;
  }
  // RFC 9112 section 6.3: these responses never have a body.
  if (hint.no_body || head.status < 200 || head.status == 204 || head.status == 304) return true;
  if (head.chunked) framer_.start_chunked();
  else if (head.has_transfer_encoding) framer_.start_until_close();
  else if (head.content_length) framer_.start_length(*head.content_length);
  else framer_.start_until_close();
  return true;
}

void MessageStream::unfinished(ParseStatus status, const HttpHead& head, std::string_view bytes,
                               uint64_t timestamp_ns, bool whole_call, Listener& listener) {
  if (status == ParseStatus::kInvalid) {
    listener.on_drop(DropReason::kUnparsed);
    lose();
    return;
  }
  // The call ended inside the head: its rest comes in the next call, unless
  // the capture cut it (or it grew too long to keep).
  if (whole_call && carry_allowed_ && bytes.size() <= kMaxHeadCarry) {
    std::string kept(bytes);  // `bytes` may view a string about to be replaced
    carry_ = std::move(kept);
    carry_timestamp_ns_ = timestamp_ns;
    return;
  }
  cut_off(head, timestamp_ns, listener);
  lose();
}

void MessageStream::cut_off(const HttpHead& head, uint64_t timestamp_ns, Listener& listener) {
  if (head.start_line_end == 0) {
    listener.on_drop(DropReason::kTruncated);
    return;
  }
  BodyHint hint = listener.on_message(head, timestamp_ns, false);
  if (hint.tunnel) opaque_ = true;
}

}  // namespace kscope::requests
