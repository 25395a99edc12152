// One direction of a Redis connection cut into RESP values (RESP2 and
// RESP3): the commands a client sends (arrays of bulk strings, or inline
// lines) or the replies a server sends (every RESP3 type, attributes
// skipped, pushes told apart). Only the first bytes of each call may have
// been captured: a bulk string's payload is skipped by its length whether
// seen or not, but a type byte, a length or a line in bytes that were not
// captured cannot be followed, and the reader stops (lost()) until the
// owner restarts it at the start of a later call. Nothing is guessed.
//
// Bounded: aggregates nest at most kMaxRespDepth deep, at most kMaxRespLine
// bytes of a line and kMaxRespWord bytes of a command word are kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kscope::requests {

inline constexpr size_t kMaxRespDepth = 16;
inline constexpr size_t kMaxRespLine = 64;
inline constexpr size_t kMaxRespWord = 32;
inline constexpr size_t kMaxRespElements = 256;

class RespReader {
 public:
  enum class Side : uint8_t { kRequests, kResponses };

  // A top-level value. Views live for the call only.
  struct Message {
    uint64_t timestamp_ns = 0;  // of the call that brought its first byte
    // Requests: the first two words of the command (as sent, at most
    // kMaxRespWord bytes), and whether each was read whole.
    std::string_view command;
    std::string_view argument;
    bool command_known = false;
    bool argument_known = false;
    bool has_argument = false;  // the command has a second word, read or not
    // Responses: the type byte ('+', '-', '*', '>', ...) and, for an error
    // ('-' or '!'), its first word when read whole.
    char type = 0;
    std::string_view error;
    bool error_known = false;
    // Responses: a top-level simple string's text ("OK", "QUEUED"), at
    // most kMaxRespLine bytes.
    std::string_view simple;
    // Responses, when the listener asked for them: for each element of a
    // top-level array (at most kMaxRespElements), its error prefix, or ""
    // when it is not an error ("_OTHER" for an error whose prefix was not
    // captured). An EXEC's answer tells each queued command's status so.
    const std::vector<std::string>* elements = nullptr;
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_message(const Message& m) = 0;
    // The framing is lost. `partial` is the value in progress when its
    // first byte was seen (its command or type may be known), or null
    // when the next value begins in bytes that were not captured or that
    // are not RESP (`invalid`).
    virtual void on_lost(const Message* partial, bool invalid) = 0;
    // Asked as a top-level response begins: whether to note its elements.
    virtual bool wants_elements() { return false; }
  };

  explicit RespReader(Side side) : side_(side) {}

  void on_call(std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns, Listener& listener);

  bool lost() const { return lost_; }
  // Starts afresh: the next call is taken to begin a value.
  void restart();
  // Whether a value is in progress (its bytes continue in the next call).
  bool in_value() const { return started_; }
  size_t carried_bytes() const {
    size_t n = line_.size() + command_.size() + argument_.size() + error_.size() + simple_.size();
    for (const auto& e : elements_) n += e.size();
    return n;
  }

 private:
  enum class Mode : uint8_t { kType, kLine, kInline, kBulk };

  // Returns false when the line breaks the protocol.
  bool on_line(Listener& listener);
  bool on_inline_line(Listener& listener);
  // A value ended; may end its parents and the top-level message.
  void value_done(Listener& listener);
  void fail(Listener& listener, bool invalid);
  Message message() const;
  void capture_bulk(std::string_view seen, uint64_t unseen);
  // Bytes of the current bulk string, `seen` or not; ends it when done.
  void bulk_bytes(std::string_view seen, uint64_t unseen, Listener& listener);

  Side side_;
  Mode mode_ = Mode::kType;
  bool lost_ = false;
  bool started_ = false;  // a top-level value is in progress
  uint64_t timestamp_ns_ = 0;
  char top_type_ = 0;
  char line_type_ = 0;
  std::string line_;        // the current line, at most kMaxRespLine bytes
  bool line_cut_ = false;   // longer than what line_ keeps
  std::vector<uint64_t> remaining_;  // elements left in each open aggregate
  uint64_t bulk_left_ = 0;  // payload bytes plus CRLF left in the current bulk
  uint64_t element_ = 0;    // requests: elements of the command begun
  enum class Capture : uint8_t { kNone, kCommand, kArgument, kError } capture_ = Capture::kNone;
  std::string command_, argument_, error_, simple_;
  bool collect_ = false;  // note the elements of this top-level array
  std::vector<std::string> elements_;
  bool command_known_ = false, argument_known_ = false, error_known_ = false, has_argument_ = false;
};

}  // namespace kscope::requests
