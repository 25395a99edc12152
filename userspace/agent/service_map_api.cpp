#include "agent/service_map_api.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "api/service_map_answer.h"
#include "common/escape.h"

namespace kscope {
namespace {

constexpr std::chrono::seconds kListenersMaxAge{10};

std::optional<uint16_t> port_number(const std::string& text) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v == 0 || v > 65535) return std::nullopt;
  return uint16_t(v);
}

}  // namespace

const ListenerIndex& ServiceMapApi::listeners() {
  auto now = std::chrono::steady_clock::now();
  if (!listeners_ || now - read_at_ >= kListenersMaxAge) {
    listeners_ = ListenerIndex::read(proc_root_);
    read_at_ = now;
  }
  return *listeners_;
}

HttpResponse ServiceMapApi::response(const HttpRequest&) {
  auto sig = signals_.latest();
  auto edges = signals_.latest_edges();
  ServiceMapAnswer answer;
  answer.time = format_time_utc(sig->time);
  answer.interval_seconds = sig->interval_seconds;
  answer.breakdown = to_string(breakdown_);
  {
    std::lock_guard lock(mu_);
    const ListenerIndex* index = edges->empty() ? nullptr : &listeners();
    for (const auto& e : *edges) {
      ServiceEdgeAnswer out;
      out.client = breakdown_ == Breakdown::kNone ? "host" : sanitize_utf8(e.client);
      out.protocol = sanitize_utf8(e.protocol);
      out.server_address = sanitize_utf8(e.server_address);
      out.server_port = sanitize_utf8(e.server_port);
      auto port = port_number(e.server_port);
      if (index != nullptr && port) {
        if (auto l = index->serving(e.server_address, *port); l && l->pid != 0) {
          out.server_process = sanitize_utf8(l->comm);
          out.server_pid = l->pid;
        }
      }
      out.requests_per_second = e.requests_per_second;
      out.error_ratio = e.error_ratio;
      out.p50_seconds = e.p50_seconds;
      out.p99_seconds = e.p99_seconds;
      out.count = e.count;
      answer.edges.push_back(std::move(out));
    }
  }
  return HttpResponse::json(nlohmann::json(answer).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                            "\n");
}

}  // namespace kscope
