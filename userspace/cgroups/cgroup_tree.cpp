#include "cgroups/cgroup_tree.h"

#include <dirent.h>

#include <algorithm>
#include <memory>

namespace kscope {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

// Breadth-first, so a cap keeps the upper levels (slices, services) whole
// rather than one deep subtree.
void walk_root(const std::string& root, size_t max_depth, size_t max_cgroups, CgroupWalk& out) {
  std::vector<std::string> level = {""};
  for (size_t depth = 1; depth <= max_depth && !level.empty(); ++depth) {
    std::vector<std::string> next;
    for (const auto& rel : level) {
      std::unique_ptr<DIR, DirCloser> dir(::opendir((root + rel).c_str()));
      if (!dir) continue;  // removed since it was listed
      while (dirent* e = ::readdir(dir.get())) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
        if (out.paths.size() >= max_cgroups) {
          out.truncated = true;
          return;
        }
        std::string child = rel + "/" + e->d_name;
        out.paths.push_back(child);
        next.push_back(std::move(child));
      }
    }
    level = std::move(next);
  }
}

}  // namespace

CgroupWalk walk_cgroups(const std::vector<std::string>& roots, size_t max_depth, size_t max_cgroups) {
  CgroupWalk out;
  for (const auto& root : roots) {
    // Each hierarchy is walked to the full cap; a hybrid host repeats most
    // paths in every hierarchy, and the union is capped below.
    CgroupWalk one;
    walk_root(root, max_depth, max_cgroups, one);
    out.truncated = out.truncated || one.truncated;
    out.paths.insert(out.paths.end(), std::make_move_iterator(one.paths.begin()),
                     std::make_move_iterator(one.paths.end()));
  }
  std::sort(out.paths.begin(), out.paths.end());
  out.paths.erase(std::unique(out.paths.begin(), out.paths.end()), out.paths.end());
  if (out.paths.size() > max_cgroups) {
    // Shallow paths first, as each walk kept them.
    std::stable_sort(out.paths.begin(), out.paths.end(), [](const std::string& a, const std::string& b) {
      return std::count(a.begin(), a.end(), '/') < std::count(b.begin(), b.end(), '/');
    });
    out.paths.resize(max_cgroups);
    std::sort(out.paths.begin(), out.paths.end());
    out.truncated = true;
  }
  return out;
}

}  // namespace kscope
