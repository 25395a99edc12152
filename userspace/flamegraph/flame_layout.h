// Where each box of a flame graph goes, independent of the output format.
//
// Boxes are laid out from the synthetic root ("all", depth 0, full width);
// children sit side by side in name order, each as wide as its share of the
// total. Frames narrower than min_fraction of the total are not drawn one
// by one: the small children of a node are merged into one box that says
// how many it stands for (when that box is itself wide enough), and nothing
// is drawn above it. That bounds a 1M-stack graph to what a browser can
// show, without hiding where the time went.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "flamegraph/profile.h"

namespace kscope {

struct FlameBox {
  NodeId node = Profile::kNoNode;  // kNoNode for a box of merged small frames
  uint32_t depth = 0;              // 0 is the root ("all")
  uint32_t merged = 0;             // how many frames a merged box stands for
  uint64_t x = 0;                  // weight to the left of the box
  uint64_t weight = 0;             // the box's inclusive weight
};

struct FlameLayout {
  std::vector<FlameBox> boxes;  // parents before their children
  uint32_t max_depth = 0;
  uint64_t total = 0;
};

// totals: inclusive weight of every node (Profile::totals(), or any other
// per-node weight such as the "after" side of a diff).
FlameLayout layout_flame(const Profile& profile, std::span<const uint64_t> totals,
                         double min_fraction);

}  // namespace kscope
