#include "flamegraph/profile.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kscope {
namespace {

std::vector<std::string> stacks_of(const Profile& p) {
  std::vector<std::string> out;
  p.for_each_stack(
      [&](std::span<const NodeId> path, uint64_t w) {
        std::string s;
        for (NodeId n : path) s += std::string(p.frame(p.node(n).frame).name) + "/";
        out.push_back(s + " " + std::to_string(w));
      },
      true);
  return out;
}

TEST(Profile, EqualStacksMerge) {
  Profile p;
  FrameId comm = p.intern("nginx", ProfileFrameKind::kProcess);
  FrameId a = p.intern("main", ProfileFrameKind::kUser);
  FrameId b = p.intern("read", ProfileFrameKind::kKernel);
  std::vector<FrameId> s1{comm, a, b};
  p.add_stack(s1, 2);
  p.add_stack(s1, 3);
  std::vector<FrameId> s2{comm, a};
  p.add_stack(s2, 1);
  EXPECT_EQ(p.stack_count(), 2u);
  EXPECT_EQ(p.total_weight(), 6u);
  EXPECT_EQ(p.max_depth(), 3u);
  EXPECT_EQ(p.node_count(), 4u);  // root + 3
  auto totals = p.totals();
  EXPECT_EQ(totals[Profile::kRoot], 6u);
  EXPECT_EQ(stacks_of(p), (std::vector<std::string>{"nginx/main/ 1", "nginx/main/read/ 5"}));
}

TEST(Profile, InternDistinguishesKindMappingAndAddress) {
  Profile p;
  MappingId libc = p.add_mapping(Mapping{"/lib/libc.so.6", "abcd", 0x1000, 0x9000, 0});
  FrameId u = p.intern("f", ProfileFrameKind::kUser);
  EXPECT_EQ(p.intern("f", ProfileFrameKind::kUser), u);
  EXPECT_NE(p.intern("f", ProfileFrameKind::kKernel), u);
  EXPECT_NE(p.intern("f", ProfileFrameKind::kUser, libc, 0x1234), u);
  EXPECT_EQ(p.find_frame("f", ProfileFrameKind::kUser, libc, 0x1234), p.intern("f", ProfileFrameKind::kUser, libc, 0x1234));
  EXPECT_EQ(p.find_frame("g", ProfileFrameKind::kUser), Profile::kNoFrame);
  EXPECT_EQ(p.mapping(libc)->build_id, "abcd");
  EXPECT_EQ(p.mapping(0), nullptr);
  EXPECT_EQ(p.mapping(9), nullptr);
}

TEST(Profile, NamesStayValidAsFramesGrow) {
  Profile p;
  FrameId first = p.intern("x", ProfileFrameKind::kUser);  // short: would live in a moved SSO buffer
  for (int i = 0; i < 10000; ++i) p.intern("f" + std::to_string(i), ProfileFrameKind::kUser);
  EXPECT_EQ(p.frame(first).name, "x");
  EXPECT_EQ(p.frame(p.find_frame("f9999", ProfileFrameKind::kUser)).name, "f9999");
}

TEST(Profile, MergeAddsWeightsAndReturnsWhereNodesLanded) {
  Profile a, b;
  std::vector<FrameId> sa{a.intern("p", ProfileFrameKind::kProcess), a.intern("x", ProfileFrameKind::kUser)};
  a.add_stack(sa, 4);
  std::vector<FrameId> sb{b.intern("p", ProfileFrameKind::kProcess), b.intern("x", ProfileFrameKind::kUser)};
  b.add_stack(sb, 6);
  std::vector<FrameId> sb2{b.intern("p", ProfileFrameKind::kProcess), b.intern("y", ProfileFrameKind::kUser)};
  b.add_stack(sb2, 1);
  auto where = a.merge(b);
  EXPECT_EQ(a.total_weight(), 11u);
  EXPECT_EQ(stacks_of(a), (std::vector<std::string>{"p/x/ 10", "p/y/ 1"}));
  ASSERT_EQ(where.size(), b.node_count());
  EXPECT_EQ(a.frame(a.node(where[2]).frame).name, "x");
}

TEST(Profile, CollapseToFunctionsMergesCallSites) {
  Profile p;
  p.set_period_ns(10'000'000);
  MappingId m = p.add_mapping(Mapping{"/bin/app", "", 0x400000, 0x500000, 0});
  FrameId comm = p.intern("app", ProfileFrameKind::kProcess);
  std::vector<FrameId> s1{comm, p.intern("main", ProfileFrameKind::kUser, m, 0x401000),
                          p.intern("work", ProfileFrameKind::kUser, m, 0x402000)};
  std::vector<FrameId> s2{comm, p.intern("main", ProfileFrameKind::kUser, m, 0x401050),
                          p.intern("work", ProfileFrameKind::kUser, m, 0x402000)};
  p.add_stack(s1, 1);
  p.add_stack(s2, 2);
  EXPECT_TRUE(p.has_locations());
  EXPECT_EQ(p.stack_count(), 2u);
  Profile c = p.collapse_to_functions();
  EXPECT_FALSE(c.has_locations());
  EXPECT_EQ(c.period_ns(), 10'000'000u);
  EXPECT_EQ(stacks_of(c), (std::vector<std::string>{"app/main/work/ 3"}));
}

TEST(Profile, ChildrenInCreationOrderOrByName) {
  Profile p;
  for (const char* n : {"b", "c", "a"}) p.child(Profile::kRoot, p.intern(n, ProfileFrameKind::kUser));
  auto names = [&](bool sorted) {
    std::string s;
    for (NodeId c : p.children(Profile::kRoot, sorted)) s += p.frame(p.node(c).frame).name;
    return s;
  };
  EXPECT_EQ(names(false), "bca");
  EXPECT_EQ(names(true), "abc");
}

TEST(Profile, DeepStackDoesNotRecurse) {
  Profile p;
  std::vector<FrameId> deep;
  for (int i = 0; i < 200000; ++i) deep.push_back(p.intern("f" + std::to_string(i % 7), ProfileFrameKind::kUser));
  p.add_stack(deep, 1);
  size_t seen = 0;
  p.for_each_stack([&](std::span<const NodeId> path, uint64_t) { seen = path.size(); });
  EXPECT_EQ(seen, 200000u);
  EXPECT_EQ(p.max_depth(), 200000u);
}

}  // namespace
}  // namespace kscope
