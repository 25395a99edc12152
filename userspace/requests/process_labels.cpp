#include "requests/process_labels.h"

namespace kscope::requests {

const ProcessLabels& ProcessLabelCache::get(uint32_t tgid) {
  auto it = cache_.find(tgid);
  if (it != cache_.end()) return it->second;
  if (cache_.size() >= kMaxCachedProcesses) cache_.clear();
  return cache_.emplace(tgid, resolver_ ? resolver_(tgid) : ProcessLabels{}).first->second;
}

}  // namespace kscope::requests
