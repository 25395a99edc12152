// What a request engine knows of a process: the service its configured
// route patterns apply to, and its value of the breakdown label. The agent
// resolves them; the engines cache them between collections.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

namespace kscope::requests {

struct ProcessLabels {
  std::string service;
  std::string breakdown;
};
using ProcessResolver = std::function<ProcessLabels(uint32_t tgid)>;

// The resolver's answers, cached until clear() (each collection: a process
// may have exec'd), at most kMaxCachedProcesses at a time.
class ProcessLabelCache {
 public:
  static constexpr size_t kMaxCachedProcesses = 4096;

  // `resolver` may be empty: every process is service "" with breakdown "".
  explicit ProcessLabelCache(ProcessResolver resolver) : resolver_(std::move(resolver)) {}

  const ProcessLabels& get(uint32_t tgid);
  void clear() { cache_.clear(); }

 private:
  ProcessResolver resolver_;
  std::unordered_map<uint32_t, ProcessLabels> cache_;
};

}  // namespace kscope::requests
