#include "profiling/profile_builder.h"

#include <map>
#include <tuple>
#include <unordered_map>

#include "symbolize/probe_frames.h"

namespace kscope {
namespace {

ProfileFrameKind frame_kind(FrameKind k) {
  switch (k) {
    case FrameKind::kKernel: return ProfileFrameKind::kKernel;
    case FrameKind::kJit: return ProfileFrameKind::kJit;
    case FrameKind::kUser: return ProfileFrameKind::kUser;
  }
  return ProfileFrameKind::kUnknown;
}

class FrameInterner {
 public:
  explicit FrameInterner(Profile& p) : p_(p) {}

  FrameId intern(const Frame& f) {
    MappingId mapping = 0;
    if (!f.module.empty() && f.kind != FrameKind::kKernel) {
      auto key = std::make_tuple(f.module, f.build_id, f.map_start);
      auto it = mappings_.find(key);
      if (it == mappings_.end()) {
        it = mappings_.emplace(key, p_.add_mapping({f.module, f.build_id, f.map_start, f.map_limit, f.map_offset}))
                 .first;
      }
      mapping = it->second;
    }
    return p_.intern(f.function, frame_kind(f.kind), mapping, f.address);
  }

 private:
  Profile& p_;
  std::map<std::tuple<std::string, std::string, uint64_t>, MappingId> mappings_;
};

}  // namespace

Profile build_profile(const std::vector<StackSample>& samples, Symbolizer& symbolizer, ProfileKind kind,
                      uint64_t period_ns, StackSelection selection) {
  Profile profile(kind);
  profile.set_period_ns(kind == ProfileKind::kCpu ? period_ns : 0);
  FrameInterner interner(profile);
  std::vector<FrameId> stack;
  for (const auto& s : samples) {
    uint64_t weight = kind == ProfileKind::kCpu ? s.count : s.weight;
    if (weight == 0) continue;
    stack.clear();
    if (s.other) {
      stack.push_back(profile.intern("[other: key map full]", ProfileFrameKind::kProcess));
      profile.add_stack(stack, weight);
      continue;
    }
    stack.push_back(profile.intern(s.comm, ProfileFrameKind::kProcess));
    if (selection.user) {
      if (s.user_lost) {
        stack.push_back(profile.intern("[user stack lost]", ProfileFrameKind::kUnknown));
      } else if (!s.user.empty()) {
        auto frames = symbolizer.symbolize_user(static_cast<pid_t>(s.tgid), s.user);
        for (auto it = frames.rbegin(); it != frames.rend(); ++it) stack.push_back(interner.intern(*it));
      }
    }
    if (selection.kernel) {
      if (s.kernel_lost) {
        stack.push_back(profile.intern("[kernel stack lost]", ProfileFrameKind::kUnknown));
      } else if (!s.kernel.empty()) {
        auto frames = trim_probe_frames(symbolizer.symbolize_kernel(s.kernel));
        for (auto it = frames.rbegin(); it != frames.rend(); ++it) stack.push_back(interner.intern(*it));
      }
    }
    profile.add_stack(stack, weight);
  }
  return profile;
}

namespace {

struct SampleKey {
  const StackSample* s;
  bool operator==(const SampleKey& o) const {
    return s->tgid == o.s->tgid && s->comm == o.s->comm && s->user == o.s->user && s->kernel == o.s->kernel &&
           s->other == o.s->other && s->user_lost == o.s->user_lost && s->kernel_lost == o.s->kernel_lost;
  }
};

struct SampleKeyHash {
  size_t operator()(const SampleKey& k) const {
    size_t h = std::hash<std::string>()(k.s->comm) ^ (static_cast<size_t>(k.s->tgid) * 0x9E3779B97F4A7C15ULL);
    for (uint64_t a : k.s->user) h = h * 31 + std::hash<uint64_t>()(a);
    for (uint64_t a : k.s->kernel) h = h * 131 + std::hash<uint64_t>()(a);
    return h;
  }
};

}  // namespace

std::vector<StackSample> stack_delta(const std::vector<StackSample>& before, const std::vector<StackSample>& after) {
  std::unordered_map<SampleKey, const StackSample*, SampleKeyHash> old;
  for (const auto& s : before) old.emplace(SampleKey{&s}, &s);
  std::vector<StackSample> out;
  for (const auto& s : after) {
    StackSample d = s;
    auto it = old.find(SampleKey{&s});
    if (it != old.end() && it->second->weight <= s.weight && it->second->count <= s.count) {
      d.weight -= it->second->weight;
      d.count -= it->second->count;
    }
    if (d.weight != 0 || d.count != 0) out.push_back(std::move(d));
  }
  return out;
}

}  // namespace kscope
