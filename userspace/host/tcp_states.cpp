#include "host/tcp_states.h"

#include "host/text_fields.h"

namespace kscope::host {
namespace {

// A /proc/net/tcp6 line is about 150 bytes; a longer partial line is not one.
constexpr size_t kMaxLineBytes = 512;

}  // namespace

void TcpStateCounter::line(std::string_view l) {
  if (lines_++ == 0) return;  // the header
  if (lines_ > kMaxTcpSockets + 1) {
    ++skipped_;
    return;
  }
  // "   0: 00000000:07E8 00000000:0000 0A ..."
  std::string_view rest = l;
  next_field(rest);  // sl
  next_field(rest);  // local_address
  next_field(rest);  // rem_address
  std::string_view st = next_field(rest);
  size_t state = 0;
  if (st.size() == 2) {
    for (char c : st) {
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) {
        state = 0;
        break;
      }
      state = state * 16 + size_t(d);
    }
  }
  if (state == 0 || state >= counts_.size()) {
    ++skipped_;
    return;
  }
  ++counts_[state];
}

void TcpStateCounter::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      if (partial_.size() + chunk.size() <= kMaxLineBytes) {
        partial_.append(chunk);
      } else {
        partial_.assign(kMaxLineBytes + 1, 'x');  // too long: counted as a line that does not parse
      }
      return;
    }
    if (partial_.empty()) {
      line(chunk.substr(0, nl));
    } else {
      const bool too_long = partial_.size() + nl > kMaxLineBytes;
      if (!too_long) partial_.append(chunk.substr(0, nl));
      line(too_long ? std::string_view() : std::string_view(partial_));
      partial_.clear();
    }
    chunk.remove_prefix(nl + 1);
  }
}

void TcpStateCounter::finish_file() {
  if (!partial_.empty()) {
    line(partial_.size() > kMaxLineBytes ? std::string_view() : std::string_view(partial_));
    partial_.clear();
  }
  lines_ = 0;
}

TcpStateCounter count_tcp_states(std::string_view text) {
  TcpStateCounter c;
  c.feed(text);
  c.finish_file();
  return c;
}

}  // namespace kscope::host
