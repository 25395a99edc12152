// How events look to a person (one line each, stacks indented below) and
// to a program (one JSON object each). Every string from the kernel (comm,
// symbol and file names) is escaped here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/event.h"
#include "symbolize/frame.h"

namespace kscope {

// Event timestamps are CLOCK_MONOTONIC; this turns them into wall time
// using the offset between the two clocks when it was made.
class EventClock {
 public:
  EventClock();
  int64_t unix_ns(uint64_t monotonic_ns) const { return static_cast<int64_t>(monotonic_ns) + offset_ns_; }
  // "15:04:05.123456" in local time.
  std::string time_of_day(uint64_t monotonic_ns) const;

 private:
  int64_t offset_ns_ = 0;
};

struct EventStacks {
  std::vector<Frame> kernel;
  std::vector<Frame> user;
};

// "15:04:05.123456 slow_syscall pid=42 tid=42 comm=app syscall=read
// duration=12.345ms ret=-11 (EAGAIN)"; no trailing newline.
std::string format_event_line(const Event& e, const EventClock& clock);

// The stacks, one frame per line, kernel first, indented; each line ends
// with a newline. Empty when both are empty.
std::string format_stacks(const EventStacks& stacks);

// "10.0.0.1:80", "[fd00::1]:80".
std::string format_endpoint(uint16_t family, const std::array<uint8_t, 16>& addr, uint16_t port);

// One object; "kernel_stack"/"user_stack" arrays when stacks is given.
nlohmann::json event_to_json(const Event& e, const EventClock& clock, const EventStacks* stacks);

// The JSON text, invalid UTF-8 replaced, on one line.
std::string json_line(const nlohmann::json& j);

}  // namespace kscope
