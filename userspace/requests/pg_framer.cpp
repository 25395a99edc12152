#include "requests/pg_framer.h"

#include <algorithm>

namespace kscope::requests {
namespace {

constexpr uint32_t kMaxPgMessage = uint32_t{1} << 30;  // the server's own limit (MaxAllocSize)
constexpr uint32_t kMaxStartup = 10000;                 // the server refuses larger start-up packets

// The message types each side sends (protocol 3.0 to 3.2).
constexpr std::string_view kFrontendTypes = "QPBEDCSHXFdcfp";
constexpr std::string_view kBackendTypes = "RSKZTDCEN123nstIAGHWdcVv";

bool typed_ok(PgFramer::Side side, char type, uint32_t length) {
  std::string_view types = side == PgFramer::Side::kFrontend ? kFrontendTypes : kBackendTypes;
  return type != 0 && types.find(type) != std::string_view::npos && length >= 4 && length <= kMaxPgMessage;
}

}  // namespace

bool PgFramer::starts_message(Side side, std::string_view bytes) {
  return bytes.size() >= 5 && typed_ok(side, bytes[0], pg_be32(bytes.substr(1)));
}

void PgFramer::restart() {
  lost_ = false;
  header_.clear();
  in_body_ = false;
  body_left_ = 0;
  body_.clear();
  untyped_ = false;
  ssl_answer_ = false;
}

bool PgFramer::header_ok(char type, uint32_t length) const {
  if (type == 0) return length >= 8 && length <= kMaxStartup;
  return typed_ok(side_, type, length);
}

void PgFramer::finish(Listener& listener) {
  Message m;
  m.type = type_;
  m.body_length = body_length_;
  m.body = body_;
  m.body_whole = body_whole_ && body_.size() == body_length_;
  m.timestamp_ns = timestamp_ns_;
  in_body_ = false;
  listener.on_message(m);
  body_.clear();
}

void PgFramer::on_call(std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns, Listener& listener) {
  if (lost_ || total_bytes == 0) return;
  if (prefix.size() > total_bytes) prefix = prefix.substr(0, static_cast<size_t>(total_bytes));
  const size_t captured = prefix.size();
  size_t pos = 0;
  while (pos < captured && !lost_) {
    if (ssl_answer_ && !in_body_ && header_.empty()) {
      ssl_answer_ = false;
      Message m;
      m.type = 1;
      m.body = prefix.substr(pos, 1);
      m.body_length = 1;
      m.body_whole = true;
      m.timestamp_ns = timestamp_ns;
      ++pos;
      listener.on_message(m);
      continue;
    }
    if (!in_body_) {
      if (header_.empty()) {
        timestamp_ns_ = timestamp_ns;
        // A start-up packet's length begins with a zero byte (it is below
        // 10000); a typed message begins with its letter.
        if (untyped_ && prefix[pos] != 0) untyped_ = false;
      }
      const size_t need = untyped_ ? 4 : 5;
      size_t take = std::min(need - header_.size(), captured - pos);
      header_.append(prefix.substr(pos, take));
      pos += take;
      if (header_.size() < need) break;
      type_ = untyped_ ? 0 : header_[0];
      uint32_t length = pg_be32(std::string_view(header_).substr(need - 4));
      header_.clear();
      if (!header_ok(type_, length)) {
        lost_ = true;
        listener.on_lost(true);
        return;
      }
      untyped_ = false;
      in_body_ = true;
      body_length_ = length - 4;
      body_left_ = body_length_;
      body_.clear();
      body_whole_ = true;
      if (body_left_ == 0) finish(listener);
      continue;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(body_left_, captured - pos));
    if (body_left_ == body_length_ && take == body_left_) {
      // The whole body in this call: no copy.
      Message m;
      m.type = type_;
      m.body_length = body_length_;
      m.body = prefix.substr(pos, std::min(take, kMaxPgBody));
      m.body_whole = take <= kMaxPgBody;
      m.timestamp_ns = timestamp_ns_;
      pos += take;
      body_left_ = 0;
      in_body_ = false;
      listener.on_message(m);
      continue;
    }
    if (type_ == 0 || kept_types_.find(type_) != std::string_view::npos) {
      size_t room = kMaxPgBody - std::min(body_.size(), kMaxPgBody);
      body_.append(prefix.substr(pos, std::min(take, room)));
    }
    pos += take;
    body_left_ -= take;
    if (body_left_ == 0) finish(listener);
  }
  if (lost_) return;
  uint64_t unseen = total_bytes - captured;
  while (unseen > 0) {
    if (!in_body_ || ssl_answer_) {
      lost_ = true;
      listener.on_lost(!header_.empty());
      return;
    }
    uint64_t take = std::min(body_left_, unseen);
    body_whole_ = false;
    body_left_ -= take;
    unseen -= take;
    if (body_left_ == 0) finish(listener);
  }
}

}  // namespace kscope::requests
