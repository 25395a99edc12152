#include "probes/stack_maps.h"

#include <bpf/bpf.h>

#include "kscope/abi/stacks.h"

namespace kscope {

std::vector<uint64_t> trim_frames(const uint64_t* ips, size_t n) {
  size_t len = 0;
  while (len < n && ips[len] != 0) ++len;
  return std::vector<uint64_t>(ips, ips + len);
}

std::optional<std::vector<uint64_t>> lookup_stack_trace(int stack_map_fd, int32_t id) {
  if (id < 0 || stack_map_fd < 0) return std::vector<uint64_t>{};
  uint64_t ips[KSCOPE_STACK_DEPTH] = {};
  uint32_t key = static_cast<uint32_t>(id);
  if (bpf_map_lookup_elem(stack_map_fd, &key, ips) != 0) return std::nullopt;
  return trim_frames(ips, KSCOPE_STACK_DEPTH);
}

std::vector<uint64_t> read_stack_trace(const bpf_map* stacks, int32_t id) {
  return lookup_stack_trace(bpf_map__fd(stacks), id).value_or(std::vector<uint64_t>{});
}

}  // namespace kscope
