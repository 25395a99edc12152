#include "host/netstat.h"

#include <algorithm>
#include <initializer_list>

#include "host/text_fields.h"

namespace kscope::host {
namespace {

constexpr size_t kMaxNetstatValues = 256;

bool one_of(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

void add(std::string_view proto, std::string_view field, std::string_view value, std::vector<NetstatValue>& out) {
  if (out.size() >= kMaxNetstatValues || !valid_name(proto) || !valid_name(field)) return;
  if (!netstat_field_exported(proto, field)) return;
  auto v = parse_i64(value);
  if (!v) {
    auto u = parse_u64(value);  // a counter past 2^63
    if (!u) return;
    out.push_back({std::string(proto) + "_" + std::string(field), double(*u)});
    return;
  }
  out.push_back({std::string(proto) + "_" + std::string(field), double(*v)});
}

}  // namespace

// ^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|
//   TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|
//   Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|
//   Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$
bool netstat_field_exported(std::string_view proto, std::string_view field) {
  if (field == "InErrors" || field == "InErrs") return true;
  if (proto == "Ip") return field == "Forwarding";
  if (proto == "Ip6" || proto == "IpExt") return field == "InOctets" || field == "OutOctets";
  if (proto == "Icmp" || proto == "Icmp6") return field == "InMsgs" || field == "OutMsgs";
  if (proto == "TcpExt") {
    return field.starts_with("Listen") || field.starts_with("Syncookies") ||
           one_of(field, {"TCPSynRetrans", "TCPTimeouts", "TCPOFOQueue", "TCPRcvQDrop"});
  }
  if (proto == "Tcp") {
    return one_of(field, {"ActiveOpens", "InSegs", "OutSegs", "OutRsts", "PassiveOpens", "RetransSegs", "CurrEstab"});
  }
  if (proto == "Udp" || proto == "Udp6") {
    return one_of(field, {"InDatagrams", "OutDatagrams", "NoPorts", "RcvbufErrors", "SndbufErrors"});
  }
  return false;
}

void parse_netstat(std::string_view text, std::vector<NetstatValue>& out) {
  std::string_view names;  // the pending name line
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      names = {};
      return;
    }
    std::string_view proto = line.substr(0, colon);
    if (names.empty() || names.substr(0, names.find(':')) != proto) {
      names = line;
      return;
    }
    // `line` holds the values for `names`: check the counts first.
    std::string_view n = names.substr(colon + 1), v = line.substr(colon + 1);
    size_t count_n = 0, count_v = 0;
    for (std::string_view r = n; !next_field(r).empty();) ++count_n;
    for (std::string_view r = v; !next_field(r).empty();) ++count_v;
    names = {};
    if (count_n != count_v) return;
    for (auto field = next_field(n); !field.empty(); field = next_field(n)) add(proto, field, next_field(v), out);
  });
}

void parse_snmp6(std::string_view text, std::vector<NetstatValue>& out) {
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    std::string_view rest = line;
    std::string_view key = next_field(rest);
    size_t six = key.find('6');
    if (six == std::string_view::npos) return;
    add(key.substr(0, six + 1), key.substr(six + 1), next_field(rest), out);
  });
}

}  // namespace kscope::host
