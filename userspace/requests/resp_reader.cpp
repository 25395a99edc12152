#include "requests/resp_reader.h"

#include <algorithm>
#include <cstring>

namespace kscope::requests {
namespace {

// Redis refuses more elements in a command (1024 * 1024) and bulk strings
// longer than 512 MiB by default; a reply may be larger, not unboundedly.
constexpr uint64_t kMaxCommandElements = 1024 * 1024;
constexpr uint64_t kMaxCount = uint64_t{1} << 32;
constexpr uint64_t kMaxBulk = uint64_t{1} << 40;

bool is_aggregate(char t) { return t == '*' || t == '%' || t == '~' || t == '>' || t == '|'; }
bool is_bulk(char t) { return t == '$' || t == '=' || t == '!'; }
bool is_simple(char t) {
  return t == '+' || t == '-' || t == ':' || t == ',' || t == '#' || t == '(' || t == '_';
}

// "-1" or a non-negative decimal up to `max`. Returns false otherwise.
bool parse_length(std::string_view s, uint64_t max, int64_t& out) {
  if (s == "-1") {
    out = -1;
    return true;
  }
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return false;
  out = static_cast<int64_t>(v);
  return true;
}

// The first word of an error text, and whether it was seen whole.
std::string_view first_word(std::string_view text, bool text_whole, bool& known) {
  size_t sp = text.find(' ');
  known = sp != std::string_view::npos || text_whole;
  return text.substr(0, std::min(sp, kMaxRespWord));
}

}  // namespace

void RespReader::restart() {
  mode_ = Mode::kType;
  lost_ = false;
  started_ = false;
  top_type_ = 0;
  line_.clear();
  line_cut_ = false;
  remaining_.clear();
  bulk_left_ = 0;
  element_ = 0;
  capture_ = Capture::kNone;
  command_.clear();
  argument_.clear();
  error_.clear();
  simple_.clear();
  collect_ = false;
  elements_.clear();
  command_known_ = argument_known_ = error_known_ = has_argument_ = false;
}

RespReader::Message RespReader::message() const {
  Message m;
  m.timestamp_ns = timestamp_ns_;
  m.command = command_;
  m.argument = argument_;
  m.command_known = command_known_;
  m.argument_known = argument_known_;
  m.has_argument = has_argument_;
  m.type = top_type_;
  m.error = error_;
  m.error_known = error_known_;
  m.simple = simple_;
  if (collect_) m.elements = &elements_;
  return m;
}

void RespReader::fail(Listener& listener, bool invalid) {
  lost_ = true;
  if (side_ == Side::kResponses && mode_ == Mode::kLine && remaining_.empty() && line_type_ == '-') {
    error_ = std::string(first_word(line_, false, error_known_));  // an error line cut short
  }
  if (started_) {
    Message m = message();
    listener.on_lost(&m, invalid);
  } else {
    listener.on_lost(nullptr, invalid);
  }
}

void RespReader::value_done(Listener& listener) {
  mode_ = Mode::kType;
  while (!remaining_.empty()) {
    if (--remaining_.back() > 0) return;
    remaining_.pop_back();
  }
  if (side_ == Side::kResponses && top_type_ == '|') {
    // An attribute: the reply it describes follows, timed from here.
    top_type_ = 0;
    return;
  }
  Message m = message();
  listener.on_message(m);
  restart();
}

void RespReader::capture_bulk(std::string_view seen, uint64_t unseen) {
  // bulk_left_ counts the payload and its CRLF; only the payload is kept.
  uint64_t payload_left = bulk_left_ > 2 ? bulk_left_ - 2 : 0;
  std::string* word = capture_ == Capture::kCommand    ? &command_
                      : capture_ == Capture::kArgument ? &argument_
                                                       : &error_;
  size_t take = static_cast<size_t>(std::min<uint64_t>(seen.size(), payload_left));
  size_t room = kMaxRespWord - std::min(word->size(), kMaxRespWord);
  word->append(seen.substr(0, std::min(take, room)));
  // Unseen payload bytes leave the word unknown (set when the bulk ends).
  if (unseen > 0 && payload_left > take) line_cut_ = true;
}

void RespReader::bulk_bytes(std::string_view seen, uint64_t unseen, Listener& listener) {
  if (capture_ != Capture::kNone) capture_bulk(seen, unseen);
  bulk_left_ -= seen.size() + unseen;
  if (bulk_left_ > 0) return;
  if (capture_ == Capture::kCommand) command_known_ = !line_cut_;
  if (capture_ == Capture::kArgument) argument_known_ = !line_cut_;
  if (capture_ == Capture::kError) error_ = std::string(first_word(error_, !line_cut_, error_known_));
  capture_ = Capture::kNone;
  value_done(listener);
}

void RespReader::on_call(std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns,
                         Listener& listener) {
  if (lost_ || total_bytes == 0) return;
  if (prefix.size() > total_bytes) prefix = prefix.substr(0, static_cast<size_t>(total_bytes));
  size_t pos = 0;
  const size_t captured = prefix.size();
  while (pos < captured && !lost_) {
    switch (mode_) {
      case Mode::kType: {
        char t = prefix[pos];
        if (!started_) {
          if (side_ == Side::kRequests && (t == '\r' || t == '\n')) {
            ++pos;  // Redis skips empty inline lines and answers nothing
            continue;
          }
          const bool valid = side_ == Side::kRequests
                                 ? t == '*' || (t >= 'A' && t <= 'Z') || (t >= 'a' && t <= 'z')
                                 : is_aggregate(t) || is_bulk(t) || is_simple(t);
          if (!valid) {
            fail(listener, true);  // not the start of a value: nothing to name
            break;
          }
          started_ = true;
          timestamp_ns_ = timestamp_ns;
          collect_ = side_ == Side::kResponses && t == '*' && listener.wants_elements();
        }
        ++pos;
        if (remaining_.empty() && top_type_ == 0) top_type_ = t;
        if (collect_ && remaining_.size() == 1 && elements_.size() < kMaxRespElements) elements_.emplace_back();
        line_.clear();
        line_cut_ = false;
        line_type_ = t;
        if (side_ == Side::kRequests) {
          if (remaining_.empty() && t != '*') {
            line_.push_back(t);
            mode_ = Mode::kInline;
            break;
          }
          if (!remaining_.empty() && t != '$') {
            fail(listener, true);  // a command is an array of bulk strings only
            break;
          }
        } else if (!is_aggregate(t) && !is_bulk(t) && !is_simple(t)) {
          fail(listener, true);
          break;
        }
        mode_ = Mode::kLine;
        break;
      }
      case Mode::kLine:
      case Mode::kInline: {
        const char* nl = static_cast<const char*>(std::memchr(prefix.data() + pos, '\n', captured - pos));
        size_t end = nl ? static_cast<size_t>(nl - prefix.data()) : captured;
        std::string_view piece = prefix.substr(pos, end - pos);
        size_t room = kMaxRespLine - std::min(line_.size(), kMaxRespLine);
        if (piece.size() > room) line_cut_ = true;
        line_.append(piece.substr(0, std::min(piece.size(), room)));
        pos = end;
        if (!nl) break;  // the line goes on in the next call
        ++pos;
        if (!line_cut_ && !line_.empty() && line_.back() == '\r') line_.pop_back();
        bool ok = mode_ == Mode::kInline ? on_inline_line(listener) : on_line(listener);
        if (!ok) fail(listener, true);
        break;
      }
      case Mode::kBulk: {
        uint64_t take = std::min<uint64_t>(bulk_left_, captured - pos);
        bulk_bytes(prefix.substr(pos, static_cast<size_t>(take)), 0, listener);
        pos += static_cast<size_t>(take);
        break;
      }
    }
  }
  if (lost_) return;
  // What the capture did not keep: only a bulk payload can be skipped.
  uint64_t unseen = total_bytes - captured;
  while (unseen > 0 && !lost_) {
    if (mode_ != Mode::kBulk) {
      fail(listener, false);
      return;
    }
    uint64_t take = std::min(bulk_left_, unseen);
    bulk_bytes({}, take, listener);
    unseen -= take;
  }
}

bool RespReader::on_line(Listener& listener) {
  const char t = line_type_;
  const bool top = remaining_.empty();
  if (is_aggregate(t)) {
    if (line_cut_) return false;
    if (side_ == Side::kRequests && t != '*') return false;
    int64_t n = 0;
    if (!parse_length(line_, side_ == Side::kRequests ? kMaxCommandElements : kMaxCount, n)) return false;
    if (side_ == Side::kRequests && !top) return false;  // commands do not nest
    if (side_ == Side::kRequests) has_argument_ = n >= 2;
    uint64_t elements = n <= 0 ? 0 : static_cast<uint64_t>(n) * ((t == '%' || t == '|') ? 2 : 1);
    if (elements == 0) {
      // An empty command: Redis answers nothing (command known, empty).
      if (side_ == Side::kRequests) command_known_ = true;
      value_done(listener);
      return true;
    }
    if (remaining_.size() >= kMaxRespDepth) return false;
    remaining_.push_back(elements);
    mode_ = Mode::kType;
    return true;
  }
  if (is_bulk(t)) {
    if (line_cut_) return false;
    int64_t n = 0;
    if (!parse_length(line_, kMaxBulk, n)) return false;  // also refuses streamed "$?"
    if (n < 0) {
      value_done(listener);
      return true;
    }
    if (collect_ && remaining_.size() == 1 && t == '!' && !elements_.empty()) elements_.back() = "_OTHER";
    bulk_left_ = static_cast<uint64_t>(n) + 2;
    line_cut_ = false;  // from here: whether payload bytes went unseen
    capture_ = Capture::kNone;
    if (side_ == Side::kRequests && remaining_.size() == 1) {
      if (element_ == 0) capture_ = Capture::kCommand;
      if (element_ == 1) capture_ = Capture::kArgument;
      ++element_;
      // A word longer than kept is not a word we would name.
      if (static_cast<uint64_t>(n) > kMaxRespWord) line_cut_ = true;
    } else if (side_ == Side::kResponses && top && t == '!') {
      capture_ = Capture::kError;
    }
    mode_ = Mode::kBulk;
    return true;
  }
  // A simple line: its text matters only for a top-level error.
  if (side_ == Side::kResponses && top && t == '-') {
    error_ = std::string(first_word(line_, !line_cut_, error_known_));
  }
  if (side_ == Side::kResponses && top && t == '+' && !line_cut_) simple_ = line_;
  if (collect_ && remaining_.size() == 1 && !elements_.empty() && (t == '-' || t == '!')) {
    bool known = false;
    std::string_view word = first_word(line_, !line_cut_, known);
    elements_.back() = known && t == '-' && !word.empty() ? std::string(word) : "_OTHER";
  }
  if (t == ':' && (line_.empty() || line_cut_)) return false;
  value_done(listener);
  return true;
}

bool RespReader::on_inline_line(Listener& listener) {
  // "SET k v": words separated by spaces; only the first two are kept.
  std::string_view line = line_;
  auto next_word = [&line](std::string& out, bool& known, bool last_cut) {
    size_t start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) return;
    line.remove_prefix(start);
    size_t end = line.find(' ');
    std::string_view w = line.substr(0, end);
    known = (end != std::string_view::npos || !last_cut) && w.size() <= kMaxRespWord;
    out.assign(w.substr(0, kMaxRespWord));
    line.remove_prefix(w.size());
  };
  next_word(command_, command_known_, line_cut_);
  next_word(argument_, argument_known_, line_cut_);
  has_argument_ = !argument_.empty();
  if (command_.empty() && !line_cut_) command_known_ = true;  // only spaces: no command, no answer
  value_done(listener);
  return true;
}

}  // namespace kscope::requests
