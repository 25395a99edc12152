#include "host/netstat.h"

#include <gtest/gtest.h>

#include <map>

#include "host/test_sample.h"

namespace kscope::host {
namespace {

std::map<std::string, double> as_map(const std::vector<NetstatValue>& v) {
  std::map<std::string, double> m;
  for (const auto& x : v) m[x.name] = x.value;
  return m;
}

TEST(Netstat, ParsesRealFilesInNodeExportersSelection) {
  std::vector<NetstatValue> v;
  parse_netstat(sample("netstat.txt"), v);
  parse_netstat(sample("snmp.txt"), v);
  parse_snmp6(sample("snmp6.txt"), v);
  auto m = as_map(v);
  EXPECT_EQ(m.size(), v.size());  // no name twice
  for (const char* want : {"TcpExt_ListenOverflows", "TcpExt_ListenDrops", "TcpExt_SyncookiesSent",
                           "TcpExt_TCPSynRetrans", "TcpExt_TCPTimeouts", "Tcp_RetransSegs", "Tcp_CurrEstab",
                           "Tcp_InErrs", "Tcp_OutRsts", "Ip_Forwarding", "IpExt_InOctets", "Udp_InDatagrams",
                           "Udp_RcvbufErrors", "Icmp_InMsgs", "Ip6_InOctets", "Udp6_InDatagrams", "Icmp6_OutMsgs"}) {
    EXPECT_TRUE(m.count(want)) << want;
  }
  EXPECT_EQ(m["Tcp_RetransSegs"], 237);
  EXPECT_EQ(m["TcpExt_ListenOverflows"], 0);
  EXPECT_EQ(m["IpExt_InOctets"], 88199911577.0);
  // Not in node_exporter's default selection.
  EXPECT_FALSE(m.count("Tcp_MaxConn"));
  EXPECT_FALSE(m.count("TcpExt_TW"));
  EXPECT_FALSE(m.count("Ip_InReceives"));
}

TEST(Netstat, SelectionMatchesNodeExportersRegex) {
  EXPECT_TRUE(netstat_field_exported("UdpLite", "InErrors"));  // .*_(InErrors|InErrs)
  EXPECT_TRUE(netstat_field_exported("TcpExt", "ListenOverflows"));
  EXPECT_TRUE(netstat_field_exported("TcpExt", "SyncookiesFailed"));
  EXPECT_FALSE(netstat_field_exported("TcpExt", "TCPSynRetransX"));
  EXPECT_FALSE(netstat_field_exported("Ip", "InOctets"));
  EXPECT_TRUE(netstat_field_exported("Ip6", "OutOctets"));
  EXPECT_FALSE(netstat_field_exported("Tcp6", "InSegs"));
}

TEST(Netstat, SkipsMismatchedAndHostileLines) {
  std::vector<NetstatValue> v;
  parse_netstat(
      "Tcp: ActiveOpens PassiveOpens\n"
      "Tcp: 1\n"                                 // fewer values than names: skipped whole
      "Tcp: RetransSegs CurrEstab MaxConn\n"
      "Tcp: 5 x -1\n"                            // CurrEstab not a number; MaxConn not exported
      "TcpExt: ListenDrops\n"
      "Udp: 4\n"                                 // another protocol's line: not values
      "Tcp\": InErrs\n"
      "Tcp\": 9\n"                               // a name a metric cannot hold
      "Udp: InErrors NoPorts\n"
      "Udp: -3 18446744073709551615\n",          // negative, and past int64
      v);
  auto m = as_map(v);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m["Tcp_RetransSegs"], 5);
  EXPECT_EQ(m["Udp_InErrors"], -3);
  EXPECT_EQ(m["Udp_NoPorts"], 18446744073709551615.0);
}

TEST(Netstat, CapsTheValues) {
  std::string names = "TcpExt:", values = "TcpExt:";
  for (int i = 0; i < 1000; ++i) {
    names += " Listen" + std::to_string(i);
    values += " 1";
  }
  std::vector<NetstatValue> v;
  parse_netstat(names + "\n" + values + "\n", v);
  EXPECT_EQ(v.size(), 256u);
}

}  // namespace
}  // namespace kscope::host
