// What the l7 probe delivered, kept for the privileged tests: the probe's
// listener copies every connection event and data record (owning its
// bytes), a poller thread reads the ring, and the queries below wait
// (bounded, 5 s) for what a test expects.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "probes/l7_probe.h"

namespace kscope::test {

// A delivered record, owning its bytes.
struct Seen {
  bool is_data = false;
  requests::ConnectionEvent conn;  // !is_data
  requests::ConnectionId id;
  requests::Role role = requests::Role::kUnknown;
  requests::Direction direction = requests::Direction::kRead;
  uint64_t ts = 0;
  uint32_t total = 0;
  std::string prefix;
  bool tls = false;
};

inline size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

class L7Recorder {
 public:
  // The l7 probe on, capturing up to the most it can.
  static Config capture_config() {
    Config c;
    c.probes.l7.enabled = true;
    c.probes.l7.capture_bytes = 1024;
    return c;
  }

  // Listens to `probe`, starts it and polls it from a thread.
  Status start(L7Probe& probe, const Config& config) {
    listen(probe);
    auto st = probe.start(config);
    if (st) start_polling();
    return st;
  }

  // Listens to `probe` (before its start) and polls it from a thread
  // (after start()).
  void listen(L7Probe& probe) {
    probe.set_listener({[this](const requests::ConnectionEvent& e) {
                          std::lock_guard lock(mu_);
                          Seen s;
                          s.conn = e;
                          s.id = e.conn;
                          s.role = e.role;
                          s.ts = e.timestamp_ns;
                          seen_.push_back(s);
                        },
                        [this](const requests::SocketData& d) {
                          std::lock_guard lock(mu_);
                          seen_.push_back({true, {}, d.conn, d.role, d.direction, d.timestamp_ns, d.total_bytes,
                                           std::string(d.prefix), d.tls});
                        }});
    probe_ = &probe;
  }
  void start_polling() {
    poller_ = std::thread([this] {
      while (!stop_) (void)probe_->poll(std::chrono::milliseconds(20));
    });
  }
  ~L7Recorder() { stop(); }
  void stop() {
    stop_ = true;
    if (poller_.joinable()) poller_.join();
  }

  // Waits (bounded) until pred holds over what was delivered.
  template <class Pred>
  bool wait_for(Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mu_);
        if (pred(seen_)) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // Everything delivered for one connection, in delivery order.
  std::vector<Seen> of(const requests::ConnectionId& id) {
    std::lock_guard lock(mu_);
    std::vector<Seen> out;
    for (const auto& s : seen_) {
      if (s.id == id) out.push_back(s);
    }
    return out;
  }

  // All delivered so far.
  std::vector<Seen> all() {
    std::lock_guard lock(mu_);
    return seen_;
  }

  // The open records of a process (0: any) with `role` and, unless 0, that
  // peer port, once there are `want` of them (or 5 s passed).
  std::vector<requests::ConnectionEvent> opens(uint32_t tgid, requests::Role role, uint16_t peer_port = 0,
                                               size_t want = 1) {
    std::vector<requests::ConnectionEvent> out;
    wait_for([&](const std::vector<Seen>& all) {
      out.clear();
      for (const auto& s : all) {
        if (s.is_data || s.conn.kind != requests::ConnectionEvent::Kind::kOpen || s.conn.role != role) continue;
        if (tgid != 0 && s.conn.conn.tgid != tgid) continue;
        if (peer_port != 0 && s.conn.peer.port != peer_port) continue;
        out.push_back(s.conn);
      }
      return out.size() >= want;
    });
    return out;
  }

  // The server side (accepted on local port `server_port`) of the client
  // connection whose local port is `client_port`.
  std::optional<requests::ConnectionEvent> server_side(uint16_t client_port, uint16_t server_port) {
    std::optional<requests::ConnectionEvent> found;
    wait_for([&](const std::vector<Seen>& all) {
      for (const auto& s : all) {
        if (!s.is_data && s.conn.kind == requests::ConnectionEvent::Kind::kOpen &&
            s.conn.role == requests::Role::kServer && s.conn.peer.port == client_port &&
            s.conn.local.port == server_port) {
          found = s.conn;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  // Waits until the connection's close was delivered.
  bool closed(const requests::ConnectionId& id) {
    return wait_for([&](const std::vector<Seen>& all) {
      for (const auto& s : all) {
        if (!s.is_data && s.id == id && s.conn.kind == requests::ConnectionEvent::Kind::kClose) return true;
      }
      return false;
    });
  }

  static std::vector<Seen> data(const std::vector<Seen>& recs, requests::Direction d) {
    std::vector<Seen> out;
    for (const auto& s : recs) {
      if (s.is_data && s.direction == d) out.push_back(s);
    }
    return out;
  }

 private:
  L7Probe* probe_ = nullptr;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

}  // namespace kscope::test
