#include "symbolize/process_cache.h"

namespace kscope {

ProcessImage* ProcessCache::find(pid_t pid, bool touch) {
  auto it = index_.find(pid);
  if (it == index_.end()) return nullptr;
  if (touch) lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

ProcessImage& ProcessCache::put(ProcessImage image) {
  erase(image.pid);
  if (!image.alive) ++dead_;
  lru_.push_front(std::move(image));
  index_[lru_.front().pid] = lru_.begin();
  pid_t pid = lru_.front().pid;
  enforce_bounds();
  return *index_.at(pid);
}

void ProcessCache::mark_dead(pid_t pid) {
  auto it = index_.find(pid);
  if (it == index_.end() || !it->second->alive) return;
  it->second->alive = false;
  ++dead_;
  enforce_bounds();
}

void ProcessCache::erase(pid_t pid) {
  auto it = index_.find(pid);
  if (it == index_.end()) return;
  if (!it->second->alive) --dead_;
  lru_.erase(it->second);
  index_.erase(it);
}

std::vector<pid_t> ProcessCache::pids() const {
  std::vector<pid_t> out;
  out.reserve(lru_.size());
  for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) out.push_back(it->pid);
  return out;
}

void ProcessCache::enforce_bounds() {
  // The entry just used is at the front and never evicted here, so put()
  // can hand it back even with a bound of zero dead processes.
  if (lru_.empty()) return;
  for (auto it = std::prev(lru_.end()); dead_ > max_dead_ && it != lru_.begin();) {
    auto victim = it--;
    if (!victim->alive) erase(victim->pid);
  }
  while (lru_.size() > max_processes_ && lru_.size() > 1) erase(lru_.back().pid);
}

}  // namespace kscope
