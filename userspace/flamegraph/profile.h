// The profile data model every flame graph format reads and writes: weighted
// call stacks, aggregated into a tree of frames as they are added.
//
// A stack runs root to leaf; by convention its root frame is the process
// name (ProfileFrameKind::kProcess). Equal stacks merge: the tree holds each
// distinct stack once, with its weight on the leaf node ("self").
//
// Weight: for kCpu a sample count (time = count x period_ns); for kOffCpu
// blocked nanoseconds.
//
// Frame names are stored raw, exactly as the kernel or the symbolizer gave
// them; every writer escapes them for its format.
//
// Not thread-safe; a finished Profile may be read from many threads.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flamegraph/id_index.h"

namespace kscope {

enum class ProfileKind : uint8_t { kCpu, kOffCpu };

enum class ProfileFrameKind : uint8_t { kProcess, kUser, kKernel, kJit, kUnknown };

using FrameId = uint32_t;
using NodeId = uint32_t;
using MappingId = uint32_t;  // 0: no mapping; else index + 1 into mappings()

// An executable mapping a frame's address belongs to (for pprof).
struct Mapping {
  std::string path;      // "/usr/lib/x86_64-linux-gnu/libc.so.6", "[kernel.kallsyms]"
  std::string build_id;  // lower-case hex, may be empty
  uint64_t start = 0;
  uint64_t limit = 0;
  uint64_t file_offset = 0;
};

// One frame. Two frames are the same frame when all four fields are equal.
struct ProfileFrame {
  std::string_view name;  // owned by the Profile
  ProfileFrameKind kind = ProfileFrameKind::kUser;
  MappingId mapping = 0;
  uint64_t address = 0;  // 0 when unknown (folded input)
};

struct Node {
  FrameId frame;
  NodeId parent;        // the root's parent is itself
  NodeId first_child;   // kNoNode when a leaf
  NodeId next_sibling;  // kNoNode when last
  uint32_t child_count;
  uint64_t self;  // weight of the stack that ends here
};

class Profile {
 public:
  static constexpr NodeId kRoot = 0;  // synthetic "all", has no frame
  static constexpr NodeId kNoNode = UINT32_MAX;

  explicit Profile(ProfileKind kind = ProfileKind::kCpu);
  Profile(Profile&&) noexcept = default;
  Profile& operator=(Profile&&) noexcept = default;
  Profile(const Profile&) = delete;  // a copy is large: merge() into a new one
  Profile& operator=(const Profile&) = delete;

  // Metadata.
  ProfileKind kind() const { return kind_; }
  void set_kind(ProfileKind kind) { kind_ = kind; }
  // Nanoseconds between cpu samples (1e9 / frequency); 0 when unknown.
  uint64_t period_ns() const { return period_ns_; }
  void set_period_ns(uint64_t ns) { period_ns_ = ns; }
  uint64_t duration_ns() const { return duration_ns_; }
  void set_duration_ns(uint64_t ns) { duration_ns_ = ns; }
  // Wall-clock start, nanoseconds since the epoch; 0 when unknown.
  int64_t start_time_ns() const { return start_time_ns_; }
  void set_start_time_ns(int64_t ns) { start_time_ns_ = ns; }

  // Frames and mappings: interned, ids stay valid for the Profile's life.
  MappingId add_mapping(Mapping m);
  const std::vector<Mapping>& mappings() const { return mappings_; }
  const Mapping* mapping(MappingId id) const;
  FrameId intern(std::string_view name, ProfileFrameKind kind, MappingId mapping = 0, uint64_t address = 0);
  // The id of an equal frame, or kNoFrame.
  static constexpr FrameId kNoFrame = UINT32_MAX;
  FrameId find_frame(std::string_view name, ProfileFrameKind kind, MappingId mapping = 0,
                     uint64_t address = 0) const;
  const ProfileFrame& frame(FrameId id) const { return frames_[id]; }
  size_t frame_count() const { return frames_.size(); }

  // Stacks.
  void add_stack(std::span<const FrameId> root_to_leaf, uint64_t weight);
  // The child of parent for frame, created when absent. For builders that
  // walk the tree themselves (parsers reuse the previous line's path).
  NodeId child(NodeId parent, FrameId frame);
  NodeId find_child(NodeId parent, FrameId frame) const;
  void add_self(NodeId node, uint64_t weight) { nodes_[node].self += weight; }

  // Tree access. Parents always have smaller ids than their children.
  const Node& node(NodeId id) const { return nodes_[id]; }
  size_t node_count() const { return nodes_.size(); }
  // Inclusive weight of every node, indexed by NodeId; O(nodes).
  std::vector<uint64_t> totals() const;
  uint64_t total_weight() const;
  // Number of distinct stacks (nodes with self weight).
  size_t stack_count() const;
  // Depth of the deepest stack (frames, not counting the synthetic root).
  size_t max_depth() const;

  // Calls fn(root_to_node) for every node but the root, depth first.
  void for_each_path(const std::function<void(std::span<const NodeId> path)>& fn,
                     bool sorted_by_name = false) const;
  // Calls fn(root_to_leaf, weight) for every distinct stack, depth first.
  // Children come in creation order unless sorted_by_name, then by name
  // (then kind, mapping, address): the order FlameGraph's tools expect.
  void for_each_stack(const std::function<void(std::span<const NodeId> path, uint64_t weight)>& fn,
                      bool sorted_by_name = false) const;
  // The children of a node, in the same orders.
  std::vector<NodeId> children(NodeId id, bool sorted_by_name = false) const;

  // Adds other's tree here (frames re-interned) and returns, for each of
  // other's nodes, the node it landed on. With add_weights false only the
  // shape is added (for aligning two profiles, see diff.h).
  std::vector<NodeId> merge(const Profile& other, bool add_weights = true);

  // True when any frame has an address or a mapping. A flame graph shows
  // functions, so such a profile is collapsed before it is drawn.
  bool has_locations() const;
  // A copy whose frames keep only name and kind: call sites of the same
  // function under the same parent merge. Metadata is kept.
  Profile collapse_to_functions() const;

 private:
  void children_into(NodeId id, bool sorted_by_name, std::vector<NodeId>* out) const;
  // Adds other's tree, its frames mapped through frame_map.
  std::vector<NodeId> graft(const Profile& other, const std::vector<FrameId>& frame_map, bool add_weights);

  ProfileKind kind_;
  uint64_t period_ns_ = 0;
  uint64_t duration_ns_ = 0;
  int64_t start_time_ns_ = 0;
  std::vector<Mapping> mappings_;
  std::deque<std::string> names_;  // deque: string_views into it stay valid
  std::vector<ProfileFrame> frames_;
  std::vector<uint64_t> frame_hash_;
  IdIndex frame_index_;
  std::vector<Node> nodes_;
  // (parent, frame) -> node, only for parents with more than a couple of
  // children: most nodes have one or two, and scanning those (often just
  // created, so in cache) beats a hash lookup that misses the cache.
  static constexpr uint32_t kScanChildren = 2;
  KeyIndex edge_index_;
};

// "name_[k]"-style suffix of a kind in the FlameGraph folded format.
std::string_view frame_kind_suffix(ProfileFrameKind kind);
const char* profile_kind_name(ProfileKind kind);  // "cpu", "offcpu"

}  // namespace kscope
