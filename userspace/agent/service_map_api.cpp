#include "agent/service_map_api.h"

#include <charconv>

#include <nlohmann/json.hpp>

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
  nlohmann::json list = nlohmann::json::array();
  {
    std::lock_guard lock(mu_);
    const ListenerIndex* index = edges->empty() ? nullptr : &listeners();
    for (const auto& e : *edges) {
      nlohmann::json server = {{"address", sanitize_utf8(e.server_address)},
                               {"port", sanitize_utf8(e.server_port)},
                               {"process", nullptr},
                               {"pid", nullptr}};
      auto port = port_number(e.server_port);
      if (index != nullptr && port) {
        if (auto l = index->serving(e.server_address, *port); l && l->pid != 0) {
          server["process"] = sanitize_utf8(l->comm);
          server["pid"] = l->pid;
        }
      }
      list.push_back({{"client", breakdown_ == Breakdown::kNone ? "host" : sanitize_utf8(e.client)},
                      {"protocol", sanitize_utf8(e.protocol)},
                      {"server", server},
                      {"requests_per_second", e.requests_per_second},
                      {"error_ratio", e.error_ratio},
                      {"p50_seconds", e.p50_seconds},
                      {"p99_seconds", e.p99_seconds},
                      {"count", e.count}});
    }
  }
  nlohmann::json body = {{"time", format_time_utc(sig->time)},
                         {"interval_seconds", sig->interval_seconds},
                         {"breakdown", to_string(breakdown_)},
                         {"edges", list}};
  return HttpResponse::json(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace kscope
