// Reading BPF hash maps in batches (probes/stack_maps.h) against the real
// kernel: every entry exactly once, the same as one by one, across many
// batches and after deletions.
#include <bpf/bpf.h>
#include <unistd.h>

#include <map>

#include <gtest/gtest.h>

#include "bpf_test_support.h"
#include "probes/stack_maps.h"

namespace kscope {
namespace {

struct Key {
  uint64_t a;
  uint32_t b;
  uint32_t pad;
};

class MapIterationTest : public ::testing::Test {
 protected:
  void SetUp() override { KSCOPE_REQUIRE_BPF(); }
  void TearDown() override {
    if (fd_ >= 0) close(fd_);
  }
  int fd_ = -1;
};

TEST_F(MapIterationTest, BatchesSeeEveryEntryOnceLikeOneByOne) {
  constexpr uint32_t kEntries = 5000;  // ~20 batches of 256
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
  fd_ = bpf_map_create(BPF_MAP_TYPE_HASH, "kscope_iter", sizeof(Key), sizeof(uint64_t), 8192, &opts);
  ASSERT_GE(fd_, 0) << "bpf_map_create: " << errno;
  for (uint32_t i = 0; i < kEntries; ++i) {
    Key k{uint64_t(i) * 7919, i, 0};
    uint64_t v = uint64_t(i) * 3 + 1;
    ASSERT_EQ(bpf_map_update_elem(fd_, &k, &v, BPF_NOEXIST), 0);
  }
  auto read = [&](bool batched) {
    std::map<uint32_t, uint64_t> seen;
    size_t calls = 0;
    std::function<void(const Key&, const uint64_t&)> fn = [&](const Key& k, const uint64_t& v) {
      ++calls;
      seen[k.b] = v;
      EXPECT_EQ(k.a, uint64_t(k.b) * 7919);
    };
    if (batched) {
      for_each_entry<Key, uint64_t>(fd_, fn);
    } else {
      for_each_entry_one_by_one<Key, uint64_t>(fd_, fn);
    }
    EXPECT_EQ(calls, seen.size()) << "an entry was seen twice";
    return seen;
  };
  auto batched = read(true);
  ASSERT_EQ(batched.size(), kEntries);
  for (const auto& [b, v] : batched) EXPECT_EQ(v, uint64_t(b) * 3 + 1);
  EXPECT_EQ(batched, read(false));

  for (uint32_t i = 0; i < kEntries; i += 2) {
    Key k{uint64_t(i) * 7919, i, 0};
    ASSERT_EQ(bpf_map_delete_elem(fd_, &k), 0);
  }
  EXPECT_EQ(read(true).size(), kEntries / 2);

  // An empty map: no calls, no error.
  for (uint32_t i = 1; i < kEntries; i += 2) {
    Key k{uint64_t(i) * 7919, i, 0};
    ASSERT_EQ(bpf_map_delete_elem(fd_, &k), 0);
  }
  EXPECT_TRUE(read(true).empty());
}

}  // namespace
}  // namespace kscope
