// Strings held once for many holders, reference-counted. The history's
// series repeat the same metric names and label names in every series, and
// the same label values (a comm, a cgroup path) across metrics: held per
// series they were most of its ~330 bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kscope {

class SharedStrings {
 public:
  // The one copy of `text`, with one more reference. The pointer stays valid
  // until the last release().
  const std::string* acquire(std::string_view text);
  // Drops a reference from acquire(); the copy goes with the last.
  void release(const std::string* text);

  size_t size() const { return counts_.size(); }
  // Estimated heap: each string with its hash node.
  size_t bytes() const { return bytes_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static size_t entry_bytes(const std::string& s);

  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> counts_;
  size_t bytes_ = 0;
};

}  // namespace kscope
