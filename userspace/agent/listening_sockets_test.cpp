#include "agent/listening_sockets.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kscope {
namespace {

// Lines as the kernel writes them (header, a listener on 127.0.0.1:8080,
// an established connection, a wildcard listener on :6379).
constexpr const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000 100 0 0 10 0\n"
    "   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000 20 4 30 10 -1\n"
    "   2: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   110        0 777 1 0000 100 0 0 10 0\n"
    "   3: garbage\n"
    "   4: 0100007F:FFFFF 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0000 100 0 0 10 0\n";
constexpr const char* kTcp6 =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   109        0 555 1 0000 100 0 0 10 0\n";

TEST(ListeningSockets, ParsesListenersOnlyAndRejectsMalformedLines) {
  auto v4 = parse_listening_sockets(kTcp);
  ASSERT_EQ(v4.size(), 2u);
  EXPECT_EQ(v4[0].port, 8080);
  EXPECT_EQ(v4[0].inode, 4242u);
  EXPECT_EQ(v4[0].address[12], 127);
  EXPECT_EQ(v4[0].address[15], 1);
  EXPECT_EQ(v4[1].port, 6379);
  auto v6 = parse_listening_sockets(kTcp6);
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].port, 5432);
  EXPECT_EQ(v6[0].address[15], 1);  // ::1
  EXPECT_TRUE(parse_listening_sockets("").empty());
}

TEST(ListeningSockets, ServesLocalAddressesOnlyPreferringTheExactBinding) {
  auto v4 = parse_listening_sockets(kTcp);
  std::array<uint8_t, 16> eth{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3};
  ListenerIndex index({{v4[0], 10, "nginx"}, {v4[1], 20, "redis-server"}}, {eth});
  auto nginx = index.serving("127.0.0.1", 8080);
  ASSERT_TRUE(nginx);
  EXPECT_EQ(nginx->comm, "nginx");
  EXPECT_FALSE(index.serving("10.1.2.3", 8080));  // bound to loopback only
  auto redis = index.serving("10.1.2.3", 6379);  // the wildcard, on an address of ours
  ASSERT_TRUE(redis);
  EXPECT_EQ(redis->pid, 20u);
  EXPECT_TRUE(index.serving("127.0.0.2", 6379));
  EXPECT_FALSE(index.serving("10.9.9.9", 6379));  // a remote host's port 6379
  EXPECT_FALSE(index.serving("unknown", 6379));
  EXPECT_FALSE(index.serving("127.0.0.1", 9));
}

// A container's listener serves the addresses its namespace owns, not
// loopback (kscope's own namespace's) nor another namespace's address.
TEST(ListeningSockets, OtherNamespacesServeTheirOwnAddresses) {
  auto v4 = parse_listening_sockets(kTcp);  // [0] 127.0.0.1:8080, [1] *:6379
  std::array<uint8_t, 16> eth{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3};
  std::array<uint8_t, 16> veth{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 200, 0, 2};
  std::array<uint8_t, 16> other{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 201, 0, 2};
  NamespaceListeners container{{{v4[1], 30, "container-redis"}}, {veth}};
  NamespaceListeners empty{{}, {other}};
  ListenerIndex index({{v4[0], 10, "nginx"}}, {eth}, {container, empty});
  auto redis = index.serving("10.200.0.2", 6379);
  ASSERT_TRUE(redis);
  EXPECT_EQ(redis->comm, "container-redis");
  EXPECT_FALSE(index.serving("127.0.0.1", 6379)) << "loopback is kscope's namespace's";
  EXPECT_FALSE(index.serving("10.1.2.3", 6379)) << "the host's address, where nothing listens on 6379";
  EXPECT_FALSE(index.serving("10.201.0.2", 6379)) << "another namespace's address";
  EXPECT_FALSE(index.serving("10.200.0.2", 8080));
}

// The real thing: a socket this test listens on is found with this process.
TEST(ListeningSockets, FindsThisProcessListening) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  auto index = ListenerIndex::read();
  auto me = index.serving("127.0.0.1", ntohs(a.sin_port));
  close(fd);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->pid, uint32_t(getpid()));
  EXPECT_FALSE(me->comm.empty());
}

}  // namespace
}  // namespace kscope
