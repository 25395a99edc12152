#include "events/event_reader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include "common/thread_name.h"
#include "kscope/abi/events.h"
#include "probes/stack_maps.h"

namespace kscope {

Result<std::unique_ptr<EventReader>> EventReader::create(const std::vector<EventSource>& sources, Handler handler) {
  std::unique_ptr<EventReader> r(new EventReader());
  r->handler_ = std::move(handler);
  for (const auto& src : sources) {
    if (src.ring_fd < 0) continue;
    r->rings_.push_back(std::make_unique<Ring>(Ring{r.get(), src}));
    Ring* ring = r->rings_.back().get();
    if (r->rb_ == nullptr) {
      r->rb_ = ring_buffer__new(src.ring_fd, &EventReader::on_record, ring, nullptr);
      if (r->rb_ == nullptr) return libbpf_error("event ring buffer of probe " + src.probe, -errno);
    } else {
      int err = ring_buffer__add(r->rb_, src.ring_fd, &EventReader::on_record, ring);
      if (err) return libbpf_error("event ring buffer of probe " + src.probe, err);
    }
  }
  if (r->rb_ == nullptr) return Error("no probe offers events", "enable a probe that sends events");
  return r;
}

EventReader::~EventReader() {
  stop();
  if (rb_ != nullptr) ring_buffer__free(rb_);
}

int EventReader::on_record(void* ctx, void* data, size_t size) {
  auto* ring = static_cast<Ring*>(ctx);
  EventReader* self = ring->reader;
  auto ev = decode_event(ring->source.probe, data, size);
  if (!ev) {
    self->decode_errors_.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  if (auto* s = std::get_if<SlowSyscallEvent>(&ev->body)) {
    self->resolve_stack(ring->source.stack_map_fd, s->user_stack_id, s->user_stack);
    self->resolve_stack(ring->source.stack_map_fd, s->kernel_stack_id, s->kernel_stack);
  }
  self->records_.fetch_add(1, std::memory_order_relaxed);
  self->handler_(std::make_shared<const Event>(std::move(*ev)));
  return 0;
}

void EventReader::resolve_stack(int stack_map_fd, int32_t id, std::vector<uint64_t>& out) {
  auto frames = lookup_stack_trace(stack_map_fd, id);
  if (!frames) {
    stacks_missing_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  out = std::move(*frames);
}

Result<int> EventReader::poll(std::chrono::milliseconds timeout) {
  int n = ring_buffer__poll(rb_, static_cast<int>(timeout.count()));
  if (n < 0 && n != -EINTR) return libbpf_error("polling the event ring buffers", n);
  // poll only reads the rings that woke it; records committed without a
  // wakeup wait in the others until consumed here.
  int m = ring_buffer__consume(rb_);
  if (m < 0) return libbpf_error("reading the event ring buffers", m);
  return (n > 0 ? n : 0) + m;
}

void EventReader::start(std::chrono::milliseconds poll_timeout) {
  stopping_ = false;
  thread_ = std::thread([this, poll_timeout] {
    name_this_thread("kscope-events");
    while (!stopping_.load(std::memory_order_relaxed)) {
      auto n = poll(poll_timeout);
      if (!n) {
        spdlog::error("event reader stopped: {}", n.error().to_string());
        return;
      }
    }
    (void)poll(std::chrono::milliseconds(0));  // what arrived before stop
  });
}

void EventReader::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

EventReaderStats EventReader::stats() const {
  return {records_.load(), decode_errors_.load(), stacks_missing_.load()};
}

}  // namespace kscope
