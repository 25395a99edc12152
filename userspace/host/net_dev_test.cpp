#include "host/net_dev.h"

#include <gtest/gtest.h>

#include "host/tcp_states.h"
#include "host/test_sample.h"

namespace kscope::host {
namespace {

TEST(NetDev, ParsesARealFile) {
  NetDevs n = parse_net_dev(sample("net_dev.txt"));
  ASSERT_EQ(n.interfaces.size(), 4u);
  EXPECT_EQ(n.interfaces[0].name, "lo");
  EXPECT_EQ(n.interfaces[0].v[0], n.interfaces[0].v[8]);  // loopback: received is transmitted
  EXPECT_EQ(n.interfaces[3].name, "eth0");
  EXPECT_EQ(n.interfaces[3].v[1], 5782u);   // receive_packets
  EXPECT_EQ(n.interfaces[3].v[9], 3726u);   // transmit_packets
}

TEST(NetDev, SkipsHostileLines) {
  NetDevs n = parse_net_dev(
      "Inter-|   Receive\n face |bytes\n"
      "  eth0: 1 2 3\n"                                                   // truncated
      "  eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 99999999999999999999\n"  // past 64 bits
      ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"                       // no name
      " we ird: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"                 // a space in the name
      "  ok\"x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
  ASSERT_EQ(n.interfaces.size(), 1u);
  EXPECT_EQ(n.interfaces[0].name, "ok\"x");  // raw: the exporter escapes label values
  EXPECT_EQ(n.interfaces[0].v[15], 16u);
  std::string text;
  for (size_t i = 0; i < kMaxInterfaces + 2; ++i) {
    text += "veth" + std::to_string(i) + ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
  }
  NetDevs many = parse_net_dev(text);
  EXPECT_EQ(many.interfaces.size(), kMaxInterfaces);
  EXPECT_EQ(many.dropped, 2u);
}

TEST(TcpStates, CountsARealFile) {
  // testdata/tcp.txt: two listeners and both ends of one loopback connection.
  auto c = count_tcp_states(sample("tcp.txt"));
  EXPECT_EQ(c.counts()[10], 2u);  // listen
  EXPECT_EQ(c.counts()[1], 2u);   // established
  EXPECT_EQ(c.skipped(), 0u);
}

TEST(TcpStates, LinesMaySpanChunks) {
  std::string text = sample("tcp.txt");
  for (size_t step : {1u, 7u, 150u}) {
    TcpStateCounter c;
    for (size_t i = 0; i < text.size(); i += step) c.feed(std::string_view(text).substr(i, step));
    c.finish_file();
    EXPECT_EQ(c.counts()[10], 2u) << step;
    EXPECT_EQ(c.counts()[1], 2u) << step;
    EXPECT_EQ(c.skipped(), 0u) << step;
  }
}

TEST(TcpStates, CountsWhatDoesNotParseAsSkipped) {
  auto c = count_tcp_states(
      "header\n"
      "   0: 00000000:07E8 00000000:0000 0C 0\n"  // no such state
      "   1: 00000000:07E8 00000000:0000 zz 0\n"
      "   2: 00000000:07E8\n"                     // truncated
      "   3: 00000000:07E8 00000000:0000 06 0\n" +
      std::string(2000, 'y') + "\n"                // a line too long to be one
      "   4: 00000000:07E8 00000000:0000 0A");      // last, without '\n'
  EXPECT_EQ(c.counts()[6], 1u);   // time_wait
  EXPECT_EQ(c.counts()[10], 1u);  // listen
  EXPECT_EQ(c.skipped(), 4u);
}

TEST(TcpStates, StopsCountingAtTheCap) {
  TcpStateCounter c;
  c.feed("header\n");
  std::string line = "   0: 0100007F:0050 00000000:0000 0A 0\n";
  for (size_t i = 0; i < kMaxTcpSockets + 5; ++i) c.feed(line);
  c.finish_file();
  EXPECT_EQ(c.counts()[10], kMaxTcpSockets);
  EXPECT_EQ(c.skipped(), 5u);
  // The cap is per file: tcp6 starts over.
  c.feed("header\n");
  c.feed(line);
  c.finish_file();
  EXPECT_EQ(c.counts()[10], kMaxTcpSockets + 1);
}

}  // namespace
}  // namespace kscope::host
