#include "flamegraph/profile.h"

#include <algorithm>
#include <tuple>

namespace kscope {
namespace {

uint64_t frame_hash(std::string_view name, ProfileFrameKind kind, MappingId mapping, uint64_t address) {
  uint64_t seed = static_cast<uint64_t>(kind) | (static_cast<uint64_t>(mapping) << 8);
  uint64_t h = hash_bytes(name, seed);
  return address == 0 ? h : mix64(h, address);
}

uint64_t edge_key(NodeId parent, FrameId frame) { return uint64_t{parent} << 32 | frame; }

uint64_t edge_hash(NodeId parent, FrameId frame) {
  return mix64(parent, static_cast<uint64_t>(frame) << 1 | 1);
}

}  // namespace

std::string_view frame_kind_suffix(ProfileFrameKind kind) {
  switch (kind) {
    case ProfileFrameKind::kKernel: return "_[k]";
    case ProfileFrameKind::kJit: return "_[j]";
    default: return "";
  }
}

const char* profile_kind_name(ProfileKind kind) {
  return kind == ProfileKind::kOffCpu ? "offcpu" : "cpu";
}

Profile::Profile(ProfileKind kind) : kind_(kind) {
  nodes_.push_back(Node{kNoFrame, kRoot, kNoNode, kNoNode, 0, 0});
}

MappingId Profile::add_mapping(Mapping m) {
  mappings_.push_back(std::move(m));
  return static_cast<MappingId>(mappings_.size());
}

const Mapping* Profile::mapping(MappingId id) const {
  if (id == 0 || id > mappings_.size()) return nullptr;
  return &mappings_[id - 1];
}

FrameId Profile::find_frame(std::string_view name, ProfileFrameKind kind, MappingId mapping,
                            uint64_t address) const {
  uint64_t h = frame_hash(name, kind, mapping, address);
  return frame_index_.find(h, [&](uint32_t id) {
    const ProfileFrame& f = frames_[id];
    return f.kind == kind && f.mapping == mapping && f.address == address && f.name == name;
  });
}

FrameId Profile::intern(std::string_view name, ProfileFrameKind kind, MappingId mapping, uint64_t address) {
  uint64_t h = frame_hash(name, kind, mapping, address);
  FrameId id = frame_index_.find(h, [&](uint32_t id) {
    const ProfileFrame& f = frames_[id];
    return f.kind == kind && f.mapping == mapping && f.address == address && f.name == name;
  });
  if (id != kNoFrame) return id;
  names_.emplace_back(name);
  id = static_cast<FrameId>(frames_.size());
  frames_.push_back(ProfileFrame{names_.back(), kind, mapping, address});
  frame_index_.insert(h, id);
  return id;
}

NodeId Profile::find_child(NodeId parent, FrameId frame) const {
  if (nodes_[parent].child_count <= kScanChildren) {
    for (NodeId c = nodes_[parent].first_child; c != kNoNode; c = nodes_[c].next_sibling) {
      if (nodes_[c].frame == frame) return c;
    }
    return kNoNode;
  }
  return edge_index_.find(edge_key(parent, frame), edge_hash(parent, frame));
}

NodeId Profile::child(NodeId parent, FrameId frame) {
  NodeId id = find_child(parent, frame);
  if (id != kNoNode) return id;
  id = static_cast<NodeId>(nodes_.size());
  // Prepended: children() restores creation order.
  nodes_.push_back(Node{frame, parent, kNoNode, nodes_[parent].first_child, 0, 0});
  Node& p = nodes_[parent];
  p.first_child = id;
  if (++p.child_count == kScanChildren + 1) {
    for (NodeId c = p.first_child; c != kNoNode; c = nodes_[c].next_sibling) {
      FrameId f = nodes_[c].frame;
      edge_index_.insert(edge_key(parent, f), edge_hash(parent, f), c);
    }
  } else if (p.child_count > kScanChildren + 1) {
    edge_index_.insert(edge_key(parent, frame), edge_hash(parent, frame), id);
  }
  return id;
}

void Profile::add_stack(std::span<const FrameId> root_to_leaf, uint64_t weight) {
  NodeId n = kRoot;
  for (FrameId f : root_to_leaf) n = child(n, f);
  nodes_[n].self += weight;
}

std::vector<uint64_t> Profile::totals() const {
  std::vector<uint64_t> t(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) t[i] = nodes_[i].self;
  // Children have larger ids than parents, so one backwards pass suffices.
  for (size_t i = nodes_.size(); i-- > 1;) t[nodes_[i].parent] += t[i];
  return t;
}

uint64_t Profile::total_weight() const {
  uint64_t sum = 0;
  for (const Node& n : nodes_) sum += n.self;
  return sum;
}

size_t Profile::stack_count() const {
  size_t count = 0;
  for (const Node& n : nodes_) count += n.self != 0;
  return count;
}

size_t Profile::max_depth() const {
  std::vector<uint32_t> depth(nodes_.size(), 0);
  uint32_t deepest = 0;
  for (size_t i = 1; i < nodes_.size(); ++i) {
    depth[i] = depth[nodes_[i].parent] + 1;
    deepest = std::max(deepest, depth[i]);
  }
  return deepest;
}

std::vector<NodeId> Profile::children(NodeId id, bool sorted_by_name) const {
  std::vector<NodeId> out;
  children_into(id, sorted_by_name, &out);
  return out;
}

void Profile::children_into(NodeId id, bool sorted_by_name, std::vector<NodeId>* out) const {
  out->clear();
  for (NodeId c = nodes_[id].first_child; c != kNoNode; c = nodes_[c].next_sibling) out->push_back(c);
  if (sorted_by_name) {
    std::sort(out->begin(), out->end(), [&](NodeId a, NodeId b) {
      const ProfileFrame& fa = frames_[nodes_[a].frame];
      const ProfileFrame& fb = frames_[nodes_[b].frame];
      return std::tie(fa.name, fa.kind, fa.mapping, fa.address) <
             std::tie(fb.name, fb.kind, fb.mapping, fb.address);
    });
  } else {
    std::reverse(out->begin(), out->end());
  }
}

void Profile::for_each_stack(
    const std::function<void(std::span<const NodeId> path, uint64_t weight)>& fn,
    bool sorted_by_name) const {
  for_each_path(
      [&](std::span<const NodeId> path) {
        if (nodes_[path.back()].self != 0) fn(path, nodes_[path.back()].self);
      },
      sorted_by_name);
}

void Profile::for_each_path(const std::function<void(std::span<const NodeId> path)>& fn,
                            bool sorted_by_name) const {
  // Iterative DFS with one explicit stack of (node, depth): stacks can be
  // deep, and a recursive walk would put a hostile input's depth on the C++
  // stack.
  std::vector<std::pair<NodeId, uint32_t>> todo;
  std::vector<NodeId> kids, path;
  auto push_children = [&](NodeId n, uint32_t depth) {
    children_into(n, sorted_by_name, &kids);
    for (size_t i = kids.size(); i-- > 0;) todo.emplace_back(kids[i], depth);
  };
  push_children(kRoot, 0);
  while (!todo.empty()) {
    auto [n, depth] = todo.back();
    todo.pop_back();
    path.resize(depth);
    path.push_back(n);
    fn(path);
    push_children(n, depth + 1);
  }
}

std::vector<NodeId> Profile::merge(const Profile& other, bool add_weights) {
  std::vector<MappingId> mapping_map(other.mappings_.size() + 1, 0);
  for (size_t i = 0; i < other.mappings_.size(); ++i) mapping_map[i + 1] = add_mapping(other.mappings_[i]);
  std::vector<FrameId> frame_map(other.frames_.size());
  for (size_t i = 0; i < other.frames_.size(); ++i) {
    const ProfileFrame& f = other.frames_[i];
    frame_map[i] = intern(f.name, f.kind, mapping_map[f.mapping], f.address);
  }
  return graft(other, frame_map, add_weights);
}

std::vector<NodeId> Profile::graft(const Profile& other, const std::vector<FrameId>& frame_map,
                                   bool add_weights) {
  std::vector<NodeId> node_map(other.nodes_.size());
  node_map[kRoot] = kRoot;
  for (size_t i = 1; i < other.nodes_.size(); ++i) {
    const Node& n = other.nodes_[i];
    node_map[i] = child(node_map[n.parent], frame_map[n.frame]);
  }
  if (add_weights) {
    for (size_t i = 0; i < other.nodes_.size(); ++i) nodes_[node_map[i]].self += other.nodes_[i].self;
  }
  return node_map;
}

bool Profile::has_locations() const {
  return std::any_of(frames_.begin(), frames_.end(),
                     [](const ProfileFrame& f) { return f.address != 0 || f.mapping != 0; });
}

Profile Profile::collapse_to_functions() const {
  Profile out(kind_);
  out.period_ns_ = period_ns_;
  out.duration_ns_ = duration_ns_;
  out.start_time_ns_ = start_time_ns_;
  std::vector<FrameId> frame_map(frames_.size());
  for (size_t i = 0; i < frames_.size(); ++i) frame_map[i] = out.intern(frames_[i].name, frames_[i].kind);
  out.graft(*this, frame_map, /*add_weights=*/true);
  return out;
}

}  // namespace kscope
