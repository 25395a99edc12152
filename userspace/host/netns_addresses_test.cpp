#include "host/netns_addresses.h"

#include <gtest/gtest.h>

namespace kscope::host {
namespace {

Address16 v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d}; }

// As a namespace with lo and one veth (10.200.0.2/30) shows it: both tables.
constexpr const char* kFibTrie =
    "Main:\n"
    "  +-- 0.0.0.0/1 2 0 2\n"
    "     +-- 10.200.0.0/30 2 0 2\n"
    "        |-- 10.200.0.0\n"
    "           /30 link UNICAST\n"
    "        |-- 10.200.0.2\n"
    "           /32 host LOCAL\n"
    "        |-- 10.200.0.3\n"
    "           /32 link BROADCAST\n"
    "     +-- 127.0.0.0/8 2 0 2\n"
    "        +-- 127.0.0.0/31 1 0 0\n"
    "           |-- 127.0.0.0\n"
    "              /8 host LOCAL\n"
    "           |-- 127.0.0.1\n"
    "              /32 host LOCAL\n"
    "Local:\n"
    "  +-- 0.0.0.0/1 2 0 2\n"
    "        |-- 10.200.0.2\n"
    "           /32 host LOCAL\n";

TEST(NetnsAddresses, FibTrieGivesTheHostLocalAddressesOnce) {
  auto got = parse_fib_trie_local(kFibTrie);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], v4(10, 200, 0, 2));
  EXPECT_EQ(got[1], v4(127, 0, 0, 1));
}

TEST(NetnsAddresses, FibTrieRejectsWhatIsNotAnAddress) {
  EXPECT_TRUE(parse_fib_trie_local("|-- 300.1.1.1\n/32 host LOCAL\n").empty());
  EXPECT_TRUE(parse_fib_trie_local("|-- 1.2.3\n/32 host LOCAL\n").empty());
  EXPECT_TRUE(parse_fib_trie_local("|-- 1.2.3.4.5\n/32 host LOCAL\n").empty());
  EXPECT_TRUE(parse_fib_trie_local("/32 host LOCAL\n").empty());  // no leaf above
  // A subtree line ends the leaf: its LOCAL belongs to no address.
  EXPECT_TRUE(parse_fib_trie_local("|-- 1.2.3.4\n+-- 5.0.0.0/8 2 0 2\n/32 host LOCAL\n").empty());
  EXPECT_TRUE(parse_fib_trie_local("").empty());
}

TEST(NetnsAddresses, IfInet6) {
  auto got = parse_if_inet6(
      "00000000000000000000000000000001 01 80 10 80       lo\n"
      "fd000000000000000000000000000002 04 40 00 82     eth0\n"
      "zz000000000000000000000000000002 04 40 00 82     bad\n"
      "fd00 04 40 00 82     short\n");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0][15], 1);
  EXPECT_EQ(got[1][0], 0xfd);
  EXPECT_EQ(got[1][15], 2);
}

}  // namespace
}  // namespace kscope::host
