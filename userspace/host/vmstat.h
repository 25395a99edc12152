// /proc/vmstat, the fields node_exporter exports by default (its
// --collector.vmstat.fields, ^(oom_kill|pgpg|pswp|pg.*fault).*): OOM kills,
// paging in and out, swapping, page faults.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kscope::host {

struct VmstatField {
  std::string name;  // node_vmstat_<name>
  double value = 0;
};

// node_exporter's default selection, matched by hand (no regex per interval).
bool vmstat_field_exported(std::string_view name);

// The exported fields, at most 64; lines that do not parse are skipped.
std::vector<VmstatField> parse_vmstat(std::string_view text);

}  // namespace kscope::host
