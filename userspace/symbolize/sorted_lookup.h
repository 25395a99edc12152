// The one search every table here needs: in a vector sorted by start
// address, the last element starting at or below an address.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace kscope {

// nullptr when every element starts above `address`. `start(e)` gives an
// element's start; the caller checks whether the element reaches `address`.
template <class T, class Start>
const T* last_starting_at_or_below(const std::vector<T>& sorted, uint64_t address, Start start) {
  auto it = std::upper_bound(sorted.begin(), sorted.end(), address,
                             [&](uint64_t a, const T& e) { return a < start(e); });
  return it == sorted.begin() ? nullptr : &*(it - 1);
}

}  // namespace kscope
