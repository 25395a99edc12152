#include "flamegraph/pprof_reader.h"

#include <string>
#include <unordered_map>
#include <vector>

#include "flamegraph/gzip.h"
#include "flamegraph/pprof_writer.h"
#include "common/proto_wire.h"

namespace kscope {
namespace {

constexpr size_t kMaxStackDepth = 16384;

struct RawMapping {
  uint64_t id = 0, start = 0, limit = 0, offset = 0;
  uint64_t filename = 0, build_id = 0;
};
struct RawLocation {
  uint64_t id = 0, mapping_id = 0, address = 0;
  std::vector<uint64_t> function_ids;  // innermost (inlined) first
};
struct RawFunction {
  uint64_t id = 0, name = 0;
};
struct RawValueType {
  uint64_t type = 0, unit = 0;
};

Error malformed(const std::string& what) {
  return Error("pprof: malformed " + what, "is the file a pprof profile, complete and uncorrupted?");
}

// Reads a sub-message's fields with fn(field); false when malformed.
template <class Fn>
bool for_each_field(std::string_view bytes, Fn&& fn) {
  ProtoReader r(bytes);
  ProtoField f;
  while (r.next(&f)) {
    if (!fn(f)) return false;
  }
  return !r.failed();
}

bool is_varint(const ProtoField& f) { return f.type == WireType::kVarint; }

class Decoder {
 public:
  Result<Profile> decode(std::string_view proto) {
    if (!top_level(proto)) return malformed("profile message");
    if (!strings_.empty() && !strings_[0].empty()) return malformed("string table (entry 0 not empty)");
    auto str = [&](uint64_t i) -> const std::string* { return i < strings_.size() ? &strings_[i] : nullptr; };

    // Which value to use.
    int value_index = -1;
    bool offcpu = false;
    for (size_t i = 0; i < sample_types_.size(); ++i) {
      const std::string* type = str(sample_types_[i].type);
      if (!type) return malformed("sample type");
      if (*type == "offcpu") {
        value_index = static_cast<int>(i);
        offcpu = true;
      }
    }
    for (size_t i = 0; value_index < 0 && i < sample_types_.size(); ++i) {
      if (*str(sample_types_[i].type) == "samples") value_index = static_cast<int>(i);
    }
    for (size_t i = 0; value_index < 0 && i < sample_types_.size(); ++i) {
      if (default_sample_type_ != 0 && sample_types_[i].type == default_sample_type_) {
        value_index = static_cast<int>(i);
      }
    }
    if (value_index < 0) value_index = static_cast<int>(sample_types_.size()) - 1;
    if (value_index < 0 && !samples_.empty()) return malformed("profile (samples but no sample types)");

    Profile p(offcpu ? ProfileKind::kOffCpu : ProfileKind::kCpu);
    p.set_period_ns(!offcpu && period_ > 0 ? static_cast<uint64_t>(period_) : 0);
    p.set_duration_ns(duration_ > 0 ? static_cast<uint64_t>(duration_) : 0);
    p.set_start_time_ns(time_);

    // Mappings; the writer's stand-ins for "kernel" and "JIT" carry only a kind.
    std::unordered_map<uint64_t, std::pair<MappingId, ProfileFrameKind>> mapping_ids;
    for (const RawMapping& m : mappings_) {
      const std::string* file = str(m.filename);
      const std::string* build = str(m.build_id);
      if (!file || !build || m.id == 0) return malformed("mapping");
      ProfileFrameKind kind = ProfileFrameKind::kUser;
      if (file->starts_with("[kernel") || file->starts_with("[vmlinux")) kind = ProfileFrameKind::kKernel;
      if (*file == kJitMappingName || (file->find("/perf-") != std::string::npos && file->ends_with(".map"))) {
        kind = ProfileFrameKind::kJit;
      }
      bool stand_in = m.start == 0 && m.limit == 0 && build->empty() &&
                      (*file == kKernelMappingName || *file == kJitMappingName);
      MappingId id = stand_in ? 0 : p.add_mapping(Mapping{*file, *build, m.start, m.limit, m.offset});
      mapping_ids[m.id] = {id, kind};
    }
    std::unordered_map<uint64_t, const std::string*> function_names;
    for (const RawFunction& f : functions_) {
      const std::string* name = str(f.name);
      if (!name || f.id == 0) return malformed("function");
      function_names[f.id] = name;
    }
    // Each location becomes its frames, root-most first.
    std::unordered_map<uint64_t, std::vector<FrameId>> location_frames;
    for (const RawLocation& l : locations_) {
      ProfileFrameKind kind = ProfileFrameKind::kUser;
      MappingId mapping = 0;
      if (l.mapping_id != 0) {
        auto it = mapping_ids.find(l.mapping_id);
        if (it == mapping_ids.end()) return malformed("location (unknown mapping)");
        mapping = it->second.first;
        kind = it->second.second;
      }
      std::vector<FrameId>& frames = location_frames[l.id];
      if (l.id == 0 || !frames.empty()) return malformed("location (bad id)");
      if (l.function_ids.empty()) {
        char hex[32];
        snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(l.address));
        frames.push_back(p.intern(l.address ? hex : "[unknown]", l.address ? kind : ProfileFrameKind::kUnknown,
                                  mapping, l.address));
      }
      for (size_t i = l.function_ids.size(); i-- > 0;) {
        auto it = function_names.find(l.function_ids[i]);
        if (it == function_names.end()) return malformed("location (unknown function)");
        frames.push_back(p.intern(*it->second, kind, mapping, l.address));
      }
    }
    // Samples.
    std::vector<uint64_t> loc_ids, values;
    for (std::string_view s : samples_) {
      loc_ids.clear();
      values.clear();
      uint64_t comm = 0;
      bool ok = for_each_field(s, [&](const ProtoField& f) {
        if (f.number == 1) return ProtoReader::repeated_varints(f, &loc_ids);
        if (f.number == 2) return ProtoReader::repeated_varints(f, &values);
        if (f.number == 3 && f.type == WireType::kLen) {
          uint64_t key = 0, value = 0;
          bool label_ok = for_each_field(f.bytes, [&](const ProtoField& lf) {
            if (lf.number == 1 && is_varint(lf)) key = lf.value;
            if (lf.number == 2 && is_varint(lf)) value = lf.value;
            return true;
          });
          const std::string* k = str(key);
          if (label_ok && k && *k == "comm" && value != 0 && str(value)) comm = value;
          return label_ok;
        }
        return true;
      });
      if (!ok) return malformed("sample");
      if (values.size() != sample_types_.size()) return malformed("sample (value count)");
      auto weight = static_cast<int64_t>(values[static_cast<size_t>(value_index)]);
      if (weight <= 0) continue;
      NodeId node = Profile::kRoot;
      if (comm != 0) node = p.child(node, p.intern(*str(comm), ProfileFrameKind::kProcess));
      size_t depth = 0;
      for (size_t i = loc_ids.size(); i-- > 0;) {
        auto it = location_frames.find(loc_ids[i]);
        if (it == location_frames.end()) return malformed("sample (unknown location)");
        // Real stacks are a few hundred frames; a deeper one is an attack
        // on memory (each frame a new node).
        depth += it->second.size();
        if (depth > kMaxStackDepth) return malformed("sample (stack deeper than 16384 frames)");
        for (FrameId f : it->second) node = p.child(node, f);
      }
      p.add_self(node, static_cast<uint64_t>(weight));
    }
    return p;
  }

 private:
  bool top_level(std::string_view proto) {
    return for_each_field(proto, [&](const ProtoField& f) {
      switch (f.number) {
        case 1: return f.type == WireType::kLen && value_type(f.bytes, &sample_types_.emplace_back());
        case 2: return f.type == WireType::kLen && (samples_.push_back(f.bytes), true);
        case 3: return f.type == WireType::kLen && mapping(f.bytes);
        case 4: return f.type == WireType::kLen && location(f.bytes);
        case 5: return f.type == WireType::kLen && function(f.bytes);
        case 6: return f.type == WireType::kLen && (strings_.emplace_back(f.bytes), true);
        case 9: time_ = static_cast<int64_t>(f.value); return is_varint(f);
        case 10: duration_ = static_cast<int64_t>(f.value); return is_varint(f);
        case 12: period_ = static_cast<int64_t>(f.value); return is_varint(f);
        case 14: default_sample_type_ = f.value; return is_varint(f);
        default: return true;  // fields we do not use
      }
    });
  }

  static bool value_type(std::string_view bytes, RawValueType* out) {
    return for_each_field(bytes, [&](const ProtoField& f) {
      if (f.number == 1) out->type = f.value;
      if (f.number == 2) out->unit = f.value;
      return true;
    });
  }

  bool mapping(std::string_view bytes) {
    RawMapping& m = mappings_.emplace_back();
    return for_each_field(bytes, [&](const ProtoField& f) {
      if (!is_varint(f)) return true;
      switch (f.number) {
        case 1: m.id = f.value; break;
        case 2: m.start = f.value; break;
        case 3: m.limit = f.value; break;
        case 4: m.offset = f.value; break;
        case 5: m.filename = f.value; break;
        case 6: m.build_id = f.value; break;
      }
      return true;
    });
  }

  bool location(std::string_view bytes) {
    RawLocation& l = locations_.emplace_back();
    return for_each_field(bytes, [&](const ProtoField& f) {
      if (f.number == 4 && f.type == WireType::kLen) {
        uint64_t fn = 0;
        bool ok = for_each_field(f.bytes, [&](const ProtoField& lf) {
          if (lf.number == 1 && is_varint(lf)) fn = lf.value;
          return true;
        });
        l.function_ids.push_back(fn);
        return ok;
      }
      if (!is_varint(f)) return true;
      if (f.number == 1) l.id = f.value;
      if (f.number == 2) l.mapping_id = f.value;
      if (f.number == 3) l.address = f.value;
      return true;
    });
  }

  bool function(std::string_view bytes) {
    RawFunction& fn = functions_.emplace_back();
    return for_each_field(bytes, [&](const ProtoField& f) {
      if (is_varint(f) && f.number == 1) fn.id = f.value;
      if (is_varint(f) && f.number == 2) fn.name = f.value;
      return true;
    });
  }

  std::vector<RawValueType> sample_types_;
  std::vector<std::string_view> samples_;
  std::vector<RawMapping> mappings_;
  std::vector<RawLocation> locations_;
  std::vector<RawFunction> functions_;
  std::vector<std::string> strings_;
  int64_t time_ = 0, duration_ = 0, period_ = 0;
  uint64_t default_sample_type_ = 0;
};

}  // namespace

Result<Profile> read_pprof(std::string_view data, const PprofReadOptions& options) {
  if (is_gzip(data)) {
    auto raw = gunzip(data, options.max_inflated_bytes);
    if (!raw.ok()) return raw.error().with_context("pprof");
    return Decoder().decode(*raw);
  }
  return Decoder().decode(data);
}

}  // namespace kscope
