// libFuzzer target: the HTTP/2 engine (userspace/requests: h2_framer,
// hpack_decoder, h2_session, h2_engine) fed an arbitrary sequence of
// socket events, with small tables so that eviction and fd reuse are
// reached, its HTTP requests going into a real HTTP engine as in kscope
// run; and the input as the frames a server reads after a valid preface
// and SETTINGS, cut into calls of several sizes with and without an
// uncaptured tail (frames split between reads, oversized lengths, HPACK
// bombs, invalid UTF-8). Beyond "no crash": no call runs backwards in
// time, gRPC names stay within their bound, the connections and the bytes
// kept across calls stay within theirs, and every gRPC call recorded is in
// some series.
//
// Input: socket events as socket_events.h decodes them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "requests/h2_engine.h"
#include "requests/http_engine.h"
#include "requests/protocol_recognition.h"
#include "socket_events.h"

namespace {

using namespace kscope::requests;

void require(bool ok) {
  if (!ok) std::abort();
}

struct Rig {
  H2EngineConfig config;
  HttpEngine http{HttpEngineConfig{}, {}};
  H2Engine h2;
  uint64_t rpc_calls = 0;
  explicit Rig(const H2EngineConfig& c)
      : config(c),
        h2(c, [](uint32_t tgid) { return ProcessLabels{"", "p" + std::to_string(tgid % 3)}; },
           [this](const Exchange& e) {
             require(e.response_ns >= e.request_ns);
             require(e.target.size() <= kMaxKeptHeaderValue);
             http.record(e);
           }) {
    h2.set_rpc_listener([this](const RpcCall& c) {
      ++rpc_calls;
      require(c.response_ns >= c.request_ns);
      require(c.name.service.size() <= kMaxRpcNameBytes && c.name.method.size() <= kMaxRpcNameBytes);
      require(c.role == Role::kServer || c.role == Role::kClient);
    });
  }
  void on_data(const SocketData& d) { h2.on_data(d); }
  void on_connection(const ConnectionEvent& e) { h2.on_connection(e); }
  void evict_idle(uint64_t now) { h2.evict_idle(now); }
  void check() const {
    require(h2.connections() <= config.max_connections);
    require(h2.carried_bytes() <= config.limits.max_carried_bytes);
  }
  void check_series() const {
    std::vector<kscope::Family> out;
    h2.append(out);
    uint64_t recorded = 0;
    for (const auto& f : out) {
      if (f.type != kscope::MetricType::kHistogram) continue;
      require(f.series.size() <= 2 * config.max_series + 1);
      for (const auto& s : f.series) recorded += s.histogram->count();
    }
    require(recorded == rpc_calls);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)recognize_protocol(in, 0);
  (void)looks_like_h2_frames(in);

  H2EngineConfig config;
  config.max_connections = 3;
  config.idle_timeout_ns = 50ull * 1000 * 1000;
  config.limits.max_streams = 4;
  config.limits.max_carried_bytes = 40000;
  config.max_series = 8;
  config.breakdown_label = "comm";
  config.max_breakdown = 2;
  {
    Rig rig(config);
    kscope::fuzz::decode_events(in, rig);
    rig.check_series();
  }
  // The input as the frames a server reads, in calls of `step` bytes of
  // which `capture` are captured.
  const std::string server_settings("\0\0\0\x04\0\0\0\0\0", 9);
  for (size_t step : {size_t{1}, size_t{7}, size_t{100}, size_t{4096}}) {
    for (size_t capture : {step, step / 2 + 1}) {
      Rig rig(config);
      ConnectionEvent open;
      open.conn = {1, 5, 1};
      open.role = Role::kServer;
      rig.on_connection(open);
      std::string stream = std::string(kH2Preface) + std::string(in);
      uint64_t t = 0;
      auto call = [&](Direction d, std::string_view bytes) {
        SocketData s;
        s.conn = open.conn;
        s.role = Role::kServer;
        s.direction = d;
        s.timestamp_ns = t += 1000;
        s.total_bytes = static_cast<uint32_t>(bytes.size());
        s.prefix = bytes.substr(0, capture);
        rig.on_data(s);
        rig.check();
      };
      call(Direction::kWrite, server_settings);
      for (size_t at = 0; at < stream.size(); at += step) call(Direction::kRead, std::string_view(stream).substr(at, step));
      // The same bytes as the server's answers.
      for (size_t at = 0; at < in.size(); at += step) call(Direction::kWrite, in.substr(at, step));
      rig.check_series();
    }
  }
  return 0;
}
