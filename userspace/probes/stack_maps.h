// Reading stack maps and key/value hash maps of the stack probes.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace kscope {

// The frames of a BPF_MAP_TYPE_STACK_TRACE entry (innermost first, trailing
// zeros dropped); empty for a negative id or an id that is not there.
std::vector<uint64_t> read_stack_trace(const bpf_map* stacks, int32_t id);

// The same by map fd; nullopt when the id is not in the map (evicted, or
// the map was full when it was taken), so a caller can count it.
std::optional<std::vector<uint64_t>> lookup_stack_trace(int stack_map_fd, int32_t id);

// Frames of a fixed-size zero-padded array.
std::vector<uint64_t> trim_frames(const uint64_t* ips, size_t n);

// Calls fn(key, value) for every entry of a hash map with key type K and
// value type V. Entries deleted while iterating are skipped.
template <class K, class V>
void for_each_entry(const bpf_map* map, const std::function<void(const K&, const V&)>& fn) {
  K key{}, next{};
  V value{};
  const void* prev = nullptr;
  while (bpf_map__get_next_key(map, prev, &next, sizeof(K)) == 0) {
    key = next;
    prev = &key;
    if (bpf_map__lookup_elem(map, &key, sizeof(K), &value, sizeof(V), 0) != 0) continue;
    fn(key, value);
  }
}

}  // namespace kscope
