// An open-addressing hash index of dense uint32 ids whose keys live
// elsewhere (in the caller's vectors). The profile interns millions of frames
// and tree edges while parsing; std::unordered_map would allocate a node per
// entry and chase pointers on every lookup, this stores one uint32 a slot.
//
// Not thread-safe. Ids must be < UINT32_MAX (that value marks an empty slot).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace kscope {

class IdIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // The id whose key matches (eq(id) is true), or kNone.
  template <class Eq>
  uint32_t find(uint64_t hash, Eq&& eq) const {
    if (slots_.empty()) return kNone;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      uint32_t id = slots_[i].id;
      if (id == kNone) return kNone;
      if (slots_[i].hash == static_cast<uint32_t>(hash) && eq(id)) return id;
    }
  }

  // Adds id under hash; the caller has checked it is not there yet.
  void insert(uint64_t hash, uint32_t id) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    place(hash, id);
    ++size_;
  }

  size_t size() const { return size_; }

  void clear() {
    slots_.clear();
    mask_ = 0;
    size_ = 0;
  }

 private:
  struct Slot {
    uint32_t hash;  // low bits of the full hash: most mismatches end here
    uint32_t id;
  };

  void place(uint64_t hash, uint32_t id) {
    size_t i = hash & mask_;
    while (slots_[i].id != kNone) i = (i + 1) & mask_;
    slots_[i] = Slot{static_cast<uint32_t>(hash), id};
  }

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    size_t n = old.empty() ? 64 : old.size() * 2;
    slots_.assign(n, Slot{0, kNone});
    mask_ = n - 1;
    // Re-placing needs the full hash; the stored 32 bits are enough because
    // tables never reach 2^32 slots.
    for (const Slot& s : old) {
      if (s.id != kNone) place(s.hash, s.id);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// A map from a 64-bit key to a uint32 value with the key stored in the
// slot, so a lookup touches one cache line and never the caller's data:
// tree edges (parent, frame) -> child, looked up once per frame parsed.
class KeyIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  uint32_t find(uint64_t key, uint64_t hash) const {
    if (slots_.empty()) return kNone;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].value == kNone) return kNone;
      if (slots_[i].key == key) return slots_[i].value;
    }
  }

  // The caller has checked key is not there yet; value != kNone.
  void insert(uint64_t key, uint64_t hash, uint32_t value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    place(key, hash, value);
    ++size_;
  }

 private:
  struct Slot {
    uint64_t key;
    uint32_t value;
    uint32_t hash;  // low bits, to re-place on growth
  };

  void place(uint64_t key, uint64_t hash, uint32_t value) {
    size_t i = hash & mask_;
    while (slots_[i].value != kNone) i = (i + 1) & mask_;
    slots_[i] = Slot{key, value, static_cast<uint32_t>(hash)};
  }

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    size_t n = old.empty() ? 64 : old.size() * 2;
    slots_.assign(n, Slot{0, kNone, 0});
    mask_ = n - 1;
    for (const Slot& s : old) {
      if (s.value != kNone) place(s.key, s.hash, s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// A fast, well-mixed 64-bit hash (wyhash-style multiply-fold); not for
// adversarial keys, which cost only probe length here, never correctness.
inline uint64_t mix64(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a ^ 0x9E3779B97F4A7C15ull) * (b ^ 0xD6E8FEB86659FD93ull);
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t hash_bytes(std::string_view s, uint64_t seed = 0) {
  uint64_t h = seed ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix64(h, w);
  }
  uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix64(h, tail ^ 0xA0761D6478BD642Full);
}

}  // namespace kscope
