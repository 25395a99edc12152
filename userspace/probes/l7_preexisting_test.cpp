#include "probes/l7_preexisting.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace kscope {
namespace {

TEST(ProcNetTcp, ParsesAnIpv4Line) {
  // 127.0.0.1:8080 -> 127.0.0.1:40000, ESTABLISHED, inode 12345.
  auto e = parse_proc_net_tcp_line(
      "   3: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 12345 1 "
      "0000000000000000 20 4 30 10 -1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->state, 1);
  EXPECT_EQ(e->inode, 12345u);
  EXPECT_EQ(e->local.port, 8080);
  EXPECT_EQ(e->peer.port, 40000);
  const std::array<uint8_t, 16> lo = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
  EXPECT_EQ(e->local.address, lo);
  EXPECT_EQ(e->peer.address, lo);
}

TEST(ProcNetTcp, ParsesAnIpv6Line) {
  auto e = parse_proc_net_tcp_line(
      "   0: 00000000000000000000000001000000:0050 00000000000000000000000001000000:C350 01 00000000:00000000 "
      "00:00000000 00000000     0        0 777 1 0000000000000000 20 4 30 10 -1");
  ASSERT_TRUE(e);
  std::array<uint8_t, 16> lo{};
  lo[15] = 1;
  EXPECT_EQ(e->local.address, lo);
  EXPECT_EQ(e->peer.port, 50000);
  EXPECT_EQ(e->inode, 777u);
}

TEST(ProcNetTcp, RejectsHeaderAndGarbage) {
  EXPECT_FALSE(parse_proc_net_tcp_line(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"));
  EXPECT_FALSE(parse_proc_net_tcp_line(""));
  EXPECT_FALSE(parse_proc_net_tcp_line("   3: 0100007F:1F90 0100007F 01 0 0 0 0 0 1"));
  EXPECT_FALSE(parse_proc_net_tcp_line("   3: 0100007F:FFFFF 0100007F:9C40 01 0 0 0 0 0 1"));
}

// This process's own connected pair is found, on both fds.
TEST(PreexistingSockets, FindsThisProcesssEstablishedConnection) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(l, 1), 0);
  socklen_t len = sizeof(a);
  getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  int s = accept(l, nullptr, nullptr);
  ASSERT_GE(s, 0);
  auto scan = find_established_sockets("/proc", uint32_t(getpid()), 1000);
  auto find = [&](int fd) {
    return std::find_if(scan.sockets.begin(), scan.sockets.end(),
                        [&](const PreexistingSocket& p) { return p.fd == uint32_t(fd); });
  };
  auto client = find(c), server = find(s);
  ASSERT_NE(client, scan.sockets.end());
  ASSERT_NE(server, scan.sockets.end());
  EXPECT_EQ(find(l), scan.sockets.end()) << "a listening socket is not a connection";
  EXPECT_EQ(client->peer.port, ntohs(a.sin_port));
  EXPECT_EQ(server->local.port, ntohs(a.sin_port));
  EXPECT_EQ(server->peer.port, client->local.port);
  EXPECT_TRUE(fd_names_socket("/proc", uint32_t(getpid()), uint32_t(c), client->inode));
  close(c);
  EXPECT_FALSE(fd_names_socket("/proc", uint32_t(getpid()), uint32_t(c), client->inode));
  close(s);
  close(l);
}

}  // namespace
}  // namespace kscope
