#include "flamegraph/flame_layout.h"

#include <algorithm>

namespace kscope {

FlameLayout layout_flame(const Profile& profile, std::span<const uint64_t> totals,
                         double min_fraction) {
  FlameLayout out;
  out.total = totals[Profile::kRoot];
  if (out.total == 0) return out;
  auto min_weight = static_cast<uint64_t>(min_fraction * static_cast<double>(out.total));
  if (min_weight == 0) min_weight = 1;

  out.boxes.push_back(FlameBox{Profile::kRoot, 0, 0, 0, out.total});
  // Breadth-first over drawn boxes (the vector itself is the queue): only
  // wide nodes are ever expanded, so the cost follows the output size, not
  // the profile size.
  std::vector<NodeId> kids;
  for (size_t i = 0; i < out.boxes.size(); ++i) {
    FlameBox parent = out.boxes[i];
    if (parent.node == Profile::kNoNode) continue;
    kids.clear();
    uint64_t small_weight = 0;
    uint32_t small_count = 0;
    for (NodeId c = profile.node(parent.node).first_child; c != Profile::kNoNode;
         c = profile.node(c).next_sibling) {
      if (totals[c] == 0) continue;
      if (totals[c] >= min_weight) {
        kids.push_back(c);
      } else {
        small_weight += totals[c];
        ++small_count;
      }
    }
    std::sort(kids.begin(), kids.end(), [&](NodeId a, NodeId b) {
      const ProfileFrame& fa = profile.frame(profile.node(a).frame);
      const ProfileFrame& fb = profile.frame(profile.node(b).frame);
      if (fa.name != fb.name) return fa.name < fb.name;
      return fa.kind < fb.kind;
    });
    uint64_t x = parent.x;
    for (NodeId c : kids) {
      out.boxes.push_back(FlameBox{c, parent.depth + 1, 0, x, totals[c]});
      x += totals[c];
    }
    if (small_weight >= min_weight) {
      out.boxes.push_back(FlameBox{Profile::kNoNode, parent.depth + 1, small_count, x, small_weight});
    }
    out.max_depth = std::max(out.max_depth, out.boxes.back().depth);
  }
  return out;
}

}  // namespace kscope
