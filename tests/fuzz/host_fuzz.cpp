// libFuzzer target: every /proc parser of the host module on the same input.
// Beyond "no crash", the bounds the module promises hold for any text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "host/diskstats.h"
#include "host/loadavg.h"
#include "host/meminfo.h"
#include "host/mounts.h"
#include "host/net_dev.h"
#include "host/netstat.h"
#include "host/pressure.h"
#include "host/proc_stat.h"
#include "host/tcp_states.h"
#include "host/vmstat.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// A name that goes into a metric name: [A-Za-z0-9_] only.
bool metric_safe(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return !s.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kscope::host;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  KernelStat st = parse_kernel_stat(in);
  check(st.cpus.size() <= kMaxCpus);

  auto mem = parse_meminfo(in);
  check(mem.size() <= kMaxMeminfoFields);
  for (const auto& f : mem) check(metric_safe(f.name));

  (void)parse_pressure(in);
  (void)parse_loadavg(in);

  for (const auto& f : parse_vmstat(in)) check(metric_safe(f.name) && vmstat_field_exported(f.name));

  Mounts m = parse_mounts(in);
  check(m.mounts.size() <= kMaxFilesystems);
  for (const auto& x : m.mounts) check(!is_pseudo_filesystem(x));

  Diskstats d = parse_diskstats(in);
  check(d.disks.size() <= kMaxDisks);
  for (const auto& x : d.disks) check(x.fields >= 11 && x.fields <= kDiskFields && !x.name.empty());

  NetDevs n = parse_net_dev(in);
  check(n.interfaces.size() <= kMaxInterfaces);

  // Whole, and cut into uneven chunks: the same counts.
  TcpStateCounter whole = count_tcp_states(in), parts;
  for (size_t i = 0, step = 1; i < in.size(); i += step, step = step * 3 % 97 + 1) parts.feed(in.substr(i, step));
  parts.finish_file();
  check(whole.counts() == parts.counts() && whole.skipped() == parts.skipped());

  std::vector<NetstatValue> values;
  parse_netstat(in, values);
  parse_snmp6(in, values);
  check(values.size() <= 256);
  for (const auto& v : values) check(metric_safe(v.name));
  return 0;
}
