// Reading stack maps and key/value hash maps of the stack probes.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
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
// value type V, one entry at a time. Entries deleted while iterating are
// skipped.
template <class K, class V>
void for_each_entry_one_by_one(int fd, const std::function<void(const K&, const V&)>& fn) {
  K key{}, next{};
  V value{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    key = next;
    prev = &key;
    if (bpf_map_lookup_elem(fd, &key, &value) != 0) continue;
    fn(key, value);
  }
}

// The same in batches: two syscalls per 256 entries instead of two per
// entry, which was most of the collector's time on a busy host (maps of
// thousands of entries read every interval). Falls back to one by one where
// the kernel has no batch lookup for the map.
template <class K, class V>
void for_each_entry(int fd, const std::function<void(const K&, const V&)>& fn) {
  uint32_t batch = 256;
  std::vector<K> keys(batch);
  std::vector<V> values(batch);
  // The cursor is a u32 for hash maps and a key for the others: room for both.
  constexpr size_t kCursorWords = (sizeof(K) + 7) / 8 + 1;
  uint64_t cursor_in[kCursorWords] = {}, cursor_out[kCursorWords] = {};
  void* in = nullptr;
  for (;;) {
    uint32_t count = batch;
    int err = bpf_map_lookup_batch(fd, in, cursor_out, keys.data(), values.data(), &count, nullptr);
    err = err < 0 ? -err : 0;
    if (err == ENOSPC && count == 0 && batch < (1u << 16)) {  // one hash bucket holds more than a batch
      batch *= 2;
      keys.resize(batch);
      values.resize(batch);
      continue;
    }
    if (err != 0 && err != ENOENT) {
      if (in == nullptr && count == 0) for_each_entry_one_by_one<K, V>(fd, fn);
      return;
    }
    for (uint32_t i = 0; i < count; ++i) fn(keys[i], values[i]);
    if (err == ENOENT) return;  // the end of the map
    std::memcpy(cursor_in, cursor_out, sizeof(cursor_in));
    in = cursor_in;
  }
}

template <class K, class V>
void for_each_entry(const bpf_map* map, const std::function<void(const K&, const V&)>& fn) {
  for_each_entry<K, V>(bpf_map__fd(map), fn);
}

}  // namespace kscope
