// A response body built at most once per key and max_age, shared by the
// requests that come meanwhile.
//
// Why: /api/v1/health assembles ~4 KB of JSON from a dozen sources (probe
// statuses, alert sinks, budget, sampling, reload state) in ~3,000 small
// allocations; at 1,000 requests a second that was most of the HTTP
// workers' CPU (bench/http_server/README.md, perf). Its figures change once
// per interval, so one build per snapshot and per 100 ms serves them all.
//
// Thread-safe. Two requests racing on a stale body may both build it (the
// same bytes); neither waits for the other.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace kscope {

class ShortLivedBody {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ShortLivedBody(Clock::duration max_age) : max_age_(max_age) {}

  // The body built for `key` less than max_age ago, or a new one from
  // build() (stored for the next callers).
  std::shared_ptr<const std::string> get(uint64_t key, const std::function<std::string()>& build,
                                         Clock::time_point now = Clock::now());

  // The next get() builds afresh whatever its key (the state behind the
  // body changed in a way the key does not show, e.g. a config reload).
  void invalidate();

 private:
  const Clock::duration max_age_;
  std::mutex mu_;
  std::shared_ptr<const std::string> body_;  // guarded by mu_
  uint64_t key_ = 0;                         // guarded by mu_
  Clock::time_point built_at_;               // guarded by mu_
};

}  // namespace kscope
