#include "model/snapshot.h"

namespace kscope {

const std::string* Series::label(std::string_view name) const {
  for (const auto& [k, v] : labels) {
    if (k == name) return &v;
  }
  return nullptr;
}

const Family* Snapshot::find(std::string_view name) const {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

void SnapshotStore::publish(std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard lock(mu_);
  latest_ = std::move(snapshot);
}

std::shared_ptr<const Snapshot> SnapshotStore::latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

}  // namespace kscope
