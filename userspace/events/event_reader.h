// Reads the probes' BPF ring buffers: one epoll over all of them, a poll
// timeout so records committed without a wakeup (bpf/lib/events.bpf.h) are
// picked up within that time, and each record decoded, its stack ids
// resolved to addresses while the stack map still holds them, and handed
// to the handler on the reading thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "common/result.h"
#include "events/event_stream.h"
#include "loader/probe.h"

struct ring_buffer;

namespace kscope {

struct EventReaderStats {
  uint64_t records = 0;        // decoded and handed on
  uint64_t decode_errors = 0;  // records of an unknown type or wrong size
  uint64_t stacks_missing = 0;  // stack ids that no longer resolved
};

class EventReader {
 public:
  using Handler = std::function<void(EventPtr)>;

  // Sources with ring_fd < 0 are skipped; an error when none is left or
  // libbpf cannot set the rings up.
  static Result<std::unique_ptr<EventReader>> create(const std::vector<EventSource>& sources, Handler handler);
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // Waits up to `timeout` for a wakeup, then consumes everything every ring
  // holds. Returns the records handled. Not to be mixed with start().
  Result<int> poll(std::chrono::milliseconds timeout);

  // Polls on a thread of its own until stop() (or destruction).
  void start(std::chrono::milliseconds poll_timeout);
  void stop();

  EventReaderStats stats() const;

 private:
  struct Ring {
    EventReader* reader;
    EventSource source;
  };
  EventReader() = default;
  static int on_record(void* ctx, void* data, size_t size);
  void resolve_stack(int stack_map_fd, int32_t id, std::vector<uint64_t>& out);

  Handler handler_;
  std::vector<std::unique_ptr<Ring>> rings_;
  ring_buffer* rb_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::atomic<uint64_t> records_{0};
  std::atomic<uint64_t> decode_errors_{0};
  std::atomic<uint64_t> stacks_missing_{0};
};

}  // namespace kscope
