// Move-only ownership of a libbpf skeleton: destroy() runs exactly once, and
// detaches and closes everything the skeleton holds.
#pragma once

#include <memory>

namespace kscope {

template <class Skel, void (*Destroy)(Skel*)>
struct SkeletonDeleter {
  void operator()(Skel* s) const {
    if (s != nullptr) Destroy(s);
  }
};

template <class Skel, void (*Destroy)(Skel*)>
using SkeletonPtr = std::unique_ptr<Skel, SkeletonDeleter<Skel, Destroy>>;

}  // namespace kscope
