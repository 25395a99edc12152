#include "requests/mysql_framer.h"

#include <algorithm>

namespace kscope::requests {

void MySqlFramer::restart() {
  lost_ = false;
  header_.clear();
  in_payload_ = false;
  left_ = 0;
  payload_.clear();
  continued_ = false;
}

void MySqlFramer::finish(Listener& listener) {
  Packet p;
  p.seq = seq_;
  p.length = length_;
  p.payload = payload_;
  p.whole = whole_ && payload_.size() == length_;
  p.continuation = continuation_;
  p.timestamp_ns = timestamp_ns_;
  in_payload_ = false;
  listener.on_packet(p);
  payload_.clear();
}

void MySqlFramer::on_call(std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns, Listener& listener) {
  if (lost_ || total_bytes == 0) return;
  if (prefix.size() > total_bytes) prefix = prefix.substr(0, static_cast<size_t>(total_bytes));
  const size_t captured = prefix.size();
  size_t pos = 0;
  while (pos < captured) {
    if (!in_payload_) {
      if (header_.empty()) timestamp_ns_ = timestamp_ns;
      size_t take = std::min(4 - header_.size(), captured - pos);
      header_.append(prefix.substr(pos, take));
      pos += take;
      if (header_.size() < 4) break;
      length_ = mysql_le24(header_);
      seq_ = static_cast<uint8_t>(header_[3]);
      header_.clear();
      continuation_ = continued_;
      continued_ = length_ == kMySqlMaxPayload;
      in_payload_ = true;
      left_ = length_;
      payload_.clear();
      whole_ = true;
      if (left_ == 0) finish(listener);
      continue;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(left_, captured - pos));
    if (left_ == length_ && take == left_) {
      // The whole payload in this call: no copy.
      Packet p;
      p.seq = seq_;
      p.length = length_;
      p.payload = prefix.substr(pos, take);
      p.whole = true;
      p.continuation = continuation_;
      p.timestamp_ns = timestamp_ns_;
      pos += take;
      left_ = 0;
      in_payload_ = false;
      listener.on_packet(p);
      continue;
    }
    size_t room = kept_ - std::min(payload_.size(), kept_);
    if (payload_.size() + take > kept_) whole_ = false;
    payload_.append(prefix.substr(pos, std::min(take, room)));
    pos += take;
    left_ -= take;
    if (left_ == 0) finish(listener);
  }
  uint64_t unseen = total_bytes - captured;
  while (unseen > 0) {
    if (!in_payload_) {
      lost_ = true;
      listener.on_lost();
      return;
    }
    uint64_t take = std::min(left_, unseen);
    whole_ = false;
    left_ -= take;
    unseen -= take;
    if (left_ == 0) finish(listener);
  }
}

}  // namespace kscope::requests
