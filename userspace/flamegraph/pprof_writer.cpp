#include "flamegraph/pprof_writer.h"

#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/escape.h"
#include "flamegraph/gzip.h"
#include "common/proto_wire.h"

namespace kscope {
namespace {

// Field numbers of perftools.profiles (github.com/google/pprof, profile.proto).
namespace pb {
constexpr uint32_t kSampleType = 1, kSample = 2, kMapping = 3, kLocation = 4, kFunction = 5,
                   kStringTable = 6, kTimeNanos = 9, kDurationNanos = 10, kPeriodType = 11,
                   kPeriod = 12, kDefaultSampleType = 14;
constexpr uint32_t kValueTypeType = 1, kValueTypeUnit = 2;
constexpr uint32_t kSampleLocationId = 1, kSampleValue = 2, kSampleLabel = 3;
constexpr uint32_t kLabelKey = 1, kLabelStr = 2;
constexpr uint32_t kMappingId = 1, kMappingStart = 2, kMappingLimit = 3, kMappingOffset = 4,
                   kMappingFilename = 5, kMappingBuildId = 6, kMappingHasFunctions = 7;
constexpr uint32_t kLocationId = 1, kLocationMappingId = 2, kLocationAddress = 3,
                   kLocationLine = 4;
constexpr uint32_t kLineFunctionId = 1;
constexpr uint32_t kFunctionId = 1, kFunctionName = 2, kFunctionSystemName = 3;
}  // namespace pb

class StringTable {
 public:
  StringTable() { index(""); }
  int64_t index(std::string_view s) {
    std::string clean = sanitize_utf8(s);  // proto3 strings must be UTF-8
    auto [it, added] = ids_.try_emplace(clean, static_cast<int64_t>(strings_.size()));
    if (added) strings_.push_back(clean);
    return it->second;
  }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  std::unordered_map<std::string, int64_t> ids_;
  std::vector<std::string> strings_;
};

// Encodes a Profile in pieces: samples are streamed to the sink while they
// are encoded; the tables they refer to follow them (field order is free in
// protobuf).
class PprofEncoder {
 public:
  PprofEncoder(const Profile& profile, const Sink& out) : p_(profile), out_(out) {}

  void encode() {
    header();
    number_locations();
    samples();
    mappings();
    locations_and_functions();
    strings();
  }

 private:
  void flush_if_large() {
    if (w_.size() >= (256 << 10)) flush();
  }
  void flush() {
    out_(w_.buffer());
    w_.clear();
  }

  void value_type(uint32_t field, std::string_view type, std::string_view unit) {
    ProtoWriter sub;
    sub.int_field(pb::kValueTypeType, strings_.index(type));
    sub.int_field(pb::kValueTypeUnit, strings_.index(unit));
    w_.bytes_field(field, sub.buffer());
  }

  void header() {
    bool cpu = p_.kind() == ProfileKind::kCpu;
    if (cpu) {
      value_type(pb::kSampleType, "samples", "count");
      value_type(pb::kSampleType, "cpu", "nanoseconds");
      value_type(pb::kPeriodType, "cpu", "nanoseconds");
      w_.int_field(pb::kPeriod, static_cast<int64_t>(p_.period_ns()));
      w_.int_field(pb::kDefaultSampleType, strings_.index("cpu"));
    } else {
      value_type(pb::kSampleType, "offcpu", "nanoseconds");
      value_type(pb::kPeriodType, "offcpu", "nanoseconds");
      w_.int_field(pb::kPeriod, 1);
    }
    w_.int_field(pb::kTimeNanos, p_.start_time_ns());
    w_.int_field(pb::kDurationNanos, static_cast<int64_t>(p_.duration_ns()));
    comm_key_ = strings_.index("comm");
  }

  // Location ids in order of how many stacks use them: the ids fill most
  // of a pprof file, and the most used 127 then take one varint byte.
  void number_locations() {
    std::vector<uint32_t> stacks_below(p_.node_count());
    for (NodeId n = 0; n < p_.node_count(); ++n) stacks_below[n] = p_.node(n).self != 0;
    for (NodeId n = static_cast<NodeId>(p_.node_count()); n-- > 1;) stacks_below[p_.node(n).parent] += stacks_below[n];
    std::vector<uint64_t> uses(p_.frame_count());
    for (NodeId n = 1; n < p_.node_count(); ++n) uses[p_.node(n).frame] += stacks_below[n];
    for (FrameId f = 0; f < p_.frame_count(); ++f) {
      if (uses[f] != 0 && p_.frame(f).kind != ProfileFrameKind::kProcess) location_order_.push_back(f);
    }
    std::stable_sort(location_order_.begin(), location_order_.end(),
                     [&](FrameId a, FrameId b) { return uses[a] > uses[b]; });
    location_id_.assign(p_.frame_count(), 0);
    for (size_t i = 0; i < location_order_.size(); ++i) location_id_[location_order_[i]] = i + 1;
  }

  void samples() {
    bool cpu = p_.kind() == ProfileKind::kCpu;
    comm_index_.assign(p_.frame_count(), 0);
    // A depth-first walk changes only the end of the path from one node to
    // the next, so each node's location id (0 for the process frame) and
    // the comm in effect are kept per depth and never looked up again.
    std::vector<uint64_t> loc_by_depth, locs;
    std::vector<int64_t> comm_by_depth;
    ProtoWriter sample;
    ProtoWriter label;
    p_.for_each_path([&](std::span<const NodeId> path) {
      size_t depth = path.size() - 1;
      const Node& node = p_.node(path.back());
      const ProfileFrame& frame = p_.frame(node.frame);
      loc_by_depth.resize(depth);
      comm_by_depth.resize(depth);
      int64_t comm = depth ? comm_by_depth.back() : 0;
      if (frame.kind == ProfileFrameKind::kProcess) {
        if (comm_index_[node.frame] == 0) comm_index_[node.frame] = strings_.index(frame.name);
        comm = comm_index_[node.frame];
        loc_by_depth.push_back(0);
      } else {
        loc_by_depth.push_back(location_id_[node.frame]);
      }
      comm_by_depth.push_back(comm);
      if (node.self == 0) return;
      locs.clear();
      for (size_t i = loc_by_depth.size(); i-- > 0;) {  // leaf first, as pprof wants
        if (loc_by_depth[i] != 0) locs.push_back(loc_by_depth[i]);
      }
      sample.clear();
      sample.packed_field(pb::kSampleLocationId, locs.begin(), locs.end());
      uint64_t values[2] = {node.self, node.self * p_.period_ns()};
      sample.packed_field(pb::kSampleValue, values, values + (cpu ? 2 : 1));
      if (comm != 0) {
        label.clear();
        label.int_field(pb::kLabelKey, comm_key_);
        label.int_field(pb::kLabelStr, comm);
        sample.bytes_field(pb::kSampleLabel, label.buffer());
      }
      w_.bytes_field(pb::kSample, sample.buffer());
      flush_if_large();
    });
  }

  void mapping(uint64_t id, const Mapping& m) {
    ProtoWriter sub;
    sub.uint_field(pb::kMappingId, id);
    sub.uint_field(pb::kMappingStart, m.start);
    sub.uint_field(pb::kMappingLimit, m.limit);
    sub.uint_field(pb::kMappingOffset, m.file_offset);
    sub.int_field(pb::kMappingFilename, strings_.index(m.path));
    sub.int_field(pb::kMappingBuildId, strings_.index(m.build_id));
    // Names come with the profile: tools must not try to symbolize again.
    sub.bool_field(pb::kMappingHasFunctions, true);
    w_.bytes_field(pb::kMapping, sub.buffer());
  }

  void mappings() {
    const auto& ms = p_.mappings();
    for (size_t i = 0; i < ms.size(); ++i) mapping(i + 1, ms[i]);
    // Stand-ins only when some frame needs one: tools show the first
    // mapping as the profile's "File".
    uint64_t next = ms.size() + 1;
    bool kernel = false, jit = false;
    for (FrameId f : location_order_) {
      if (p_.frame(f).mapping != 0) continue;
      kernel |= p_.frame(f).kind == ProfileFrameKind::kKernel;
      jit |= p_.frame(f).kind == ProfileFrameKind::kJit;
    }
    if (kernel) {
      kernel_mapping_ = next++;
      mapping(kernel_mapping_, Mapping{std::string(kKernelMappingName), {}, 0, 0, 0});
    }
    if (jit) {
      jit_mapping_ = next++;
      mapping(jit_mapping_, Mapping{std::string(kJitMappingName), {}, 0, 0, 0});
    }
  }

  void locations_and_functions() {
    std::unordered_map<std::string_view, uint64_t> function_ids;
    ProtoWriter sub;
    ProtoWriter line;
    for (FrameId f : location_order_) {
      const ProfileFrame& frame = p_.frame(f);
      auto [it, added] = function_ids.try_emplace(frame.name, function_ids.size() + 1);
      if (added) {
        sub.clear();
        int64_t name = strings_.index(frame.name);
        sub.uint_field(pb::kFunctionId, it->second);
        sub.int_field(pb::kFunctionName, name);
        sub.int_field(pb::kFunctionSystemName, name);
        w_.bytes_field(pb::kFunction, sub.buffer());
      }
      uint64_t mapping = frame.mapping;
      if (mapping == 0 && frame.kind == ProfileFrameKind::kKernel) mapping = kernel_mapping_;
      if (mapping == 0 && frame.kind == ProfileFrameKind::kJit) mapping = jit_mapping_;
      sub.clear();
      sub.uint_field(pb::kLocationId, location_id_[f]);
      sub.uint_field(pb::kLocationMappingId, mapping);
      sub.uint_field(pb::kLocationAddress, frame.address);
      line.clear();
      line.uint_field(pb::kLineFunctionId, it->second);
      sub.bytes_field(pb::kLocationLine, line.buffer());
      w_.bytes_field(pb::kLocation, sub.buffer());
      flush_if_large();
    }
  }

  void strings() {
    for (const std::string& s : strings_.strings()) {
      w_.bytes_field(pb::kStringTable, s);
      flush_if_large();
    }
    flush();
  }

  const Profile& p_;
  const Sink& out_;
  ProtoWriter w_;
  StringTable strings_;
  int64_t comm_key_ = 0;
  std::vector<FrameId> location_order_;  // frames in samples, most used first
  std::vector<uint64_t> location_id_;    // by FrameId; 0 when not in any sample
  std::vector<int64_t> comm_index_;  // string index of each process frame, 0 until needed
  uint64_t kernel_mapping_ = 0;
  uint64_t jit_mapping_ = 0;
};

}  // namespace

void write_pprof(const Profile& profile, const Sink& out) {
  BlockGzipWriter gz(out);
  Sink into_gzip = [&](std::string_view piece) { gz.write(piece); };
  PprofEncoder(profile, into_gzip).encode();
  gz.finish();
}

std::string encode_pprof_proto(const Profile& profile) {
  return collect_output([&](const Sink& out) { PprofEncoder(profile, out).encode(); });
}

}  // namespace kscope
