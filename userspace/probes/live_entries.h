// Reading a kernel map of per-target counts while deleting the targets that
// went idle: exited processes leave the map after series_ttl, so a host with
// churn never fills it and new targets keep their own series.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/key_aging.h"
#include "probes/stack_maps.h"

namespace kscope {

// Calls fn(key, value) for every entry whose activity(value) changed within
// the aging's ttl; the others are deleted from the map after the walk
// (deleting during it would restart the walk). Without aging every entry is
// live and none is deleted.
template <class K, class V, class ActivityFn, class Fn>
void for_each_live_entry(const bpf_map* map, KeyAging* aging, ActivityFn activity, Fn fn) {
  if (aging == nullptr) {
    for_each_entry<K, V>(map, fn);
    return;
  }
  const auto now = KeyAging::Clock::now();
  std::vector<K> idle;
  for_each_entry<K, V>(map, [&](const K& k, const V& v) {
    std::string_view key(reinterpret_cast<const char*>(&k), sizeof(k));
    if (aging->idle(key, static_cast<uint64_t>(activity(v)), now)) {
      idle.push_back(k);
    } else {
      fn(k, v);
    }
  });
  for (const auto& k : idle) bpf_map_delete_elem(bpf_map__fd(map), &k);
  aging->end_round();
}

}  // namespace kscope
