#include "history/shared_strings.h"

namespace kscope {

size_t SharedStrings::entry_bytes(const std::string& s) {
  // The node (next pointer, string, count, malloc header), the bucket slot,
  // and the characters once they no longer fit in the string itself.
  constexpr size_t kNode = 64, kSmallString = 15;
  return kNode + (s.size() > kSmallString ? s.size() + 17 : 0);
}

const std::string* SharedStrings::acquire(std::string_view text) {
  auto it = counts_.find(text);
  if (it == counts_.end()) {
    it = counts_.emplace(std::string(text), 0).first;
    bytes_ += entry_bytes(it->first);
  }
  ++it->second;
  return &it->first;
}

void SharedStrings::release(const std::string* text) {
  auto it = counts_.find(std::string_view(*text));
  if (it == counts_.end() || &it->first != text) return;  // not ours: nothing to drop
  if (--it->second == 0) {
    bytes_ -= entry_bytes(it->first);
    counts_.erase(it);
  }
}

}  // namespace kscope
