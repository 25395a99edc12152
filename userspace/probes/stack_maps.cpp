#include "probes/stack_maps.h"

#include "kscope/abi/stacks.h"

namespace kscope {

std::vector<uint64_t> trim_frames(const uint64_t* ips, size_t n) {
  size_t len = 0;
  while (len < n && ips[len] != 0) ++len;
  return std::vector<uint64_t>(ips, ips + len);
}

std::vector<uint64_t> read_stack_trace(const bpf_map* stacks, int32_t id) {
  if (id < 0) return {};
  uint64_t ips[KSCOPE_STACK_DEPTH] = {};
  uint32_t key = static_cast<uint32_t>(id);
  if (bpf_map__lookup_elem(stacks, &key, sizeof(key), ips, sizeof(ips), 0) != 0) return {};
  return trim_frames(ips, KSCOPE_STACK_DEPTH);
}

}  // namespace kscope
