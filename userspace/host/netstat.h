// /proc/net/netstat and /proc/net/snmp (pairs of "Proto: names" / "Proto:
// values" lines) and /proc/net/snmp6 ("Ip6InOctets  123" lines): the
// protocol counters node_exporter exports as node_netstat_<Proto>_<Field>,
// limited as its default --collector.netstat.fields is: listen-queue
// overflows and drops, SYN cookies, retransmits, segments, resets, errors,
// UDP datagrams and buffer errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kscope::host {

struct NetstatValue {
  std::string name;  // "TcpExt_ListenOverflows", "Tcp_RetransSegs", "Udp6_InDatagrams"
  double value = 0;  // signed: Tcp MaxConn is -1
};

// node_exporter's default field selection, matched by hand.
bool netstat_field_exported(std::string_view proto, std::string_view field);

// Appends the exported fields of a netstat/snmp text (at most 256 in all).
// A value line whose count differs from its name line is skipped whole.
void parse_netstat(std::string_view text, std::vector<NetstatValue>& out);

// Appends the exported fields of a snmp6 text; the protocol is the name up
// to its first '6' (Ip6, Icmp6, Udp6, UdpLite6).
void parse_snmp6(std::string_view text, std::vector<NetstatValue>& out);

}  // namespace kscope::host
