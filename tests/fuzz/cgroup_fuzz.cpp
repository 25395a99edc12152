// libFuzzer target: the cgroup file parsers and the identity read from a
// cgroup path (userspace/cgroups). Every cgroup directory name is chosen by
// whoever may create cgroups (a container runtime, a delegated user), so the
// labels it yields must stay within their shapes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cgroups/cgroup_identity.h"
#include "cgroups/cgroup_io.h"
#include "cgroups/cgroup_layout.h"
#include "cgroups/cgroup_pressure.h"
#include "cgroups/cgroup_text.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool hex_or(std::string_view s, char extra) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == extra)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kscope;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto id = identify_cgroup(in);
  check(id.container_id.empty() || (id.container_id.size() >= 12 && id.container_id.size() <= 64 &&
                                    hex_or(id.container_id, '\0')));
  check(id.pod_uid.empty() || ((id.pod_uid.size() == 32 || id.pod_uid.size() == 36) && hex_or(id.pod_uid, '-')));
  check(id.service.empty() || id.service.find('/') == std::string::npos);
  check(id.service.size() <= 256);
  std::string un = systemd_unescape(in);
  check(un.size() <= in.size());

  (void)parse_cgroup_u64(in);
  (void)parse_memory_limit(in);
  if (auto c = parse_cpu_max(in)) check(*c >= 0);
  (void)cpu_limit_from_cfs(in, in);
  auto cs = parse_cpu_stat(in);
  if (cs.throttled_seconds) check(*cs.throttled_seconds >= 0);
  auto ms1 = parse_memory_stat_v1(in);
  auto ms2 = parse_memory_stat_v2(in);
  check(working_set_bytes(1000, ms1) <= 1000 && working_set_bytes(1000, ms2) <= 1000);
  (void)parse_memory_events(in);
  (void)parse_oom_control_kills(in);
  (void)parse_pressure(in);

  auto io = parse_io_stat(in);
  check(io.size() <= kCgroupMaxDevices);
  merge_blkio_throttle(in, true, io);
  merge_blkio_throttle(in, false, io);
  check(io.size() <= kCgroupMaxDevices);
  for (const auto& d : io) check(d.major < (1u << 12) && d.minor < (1u << 20));

  auto layout = parse_cgroup_layout(in, in, size % 2 == 0);
  check(layout.roots().size() <= 5);
  check(layout.unified_controllers.size() <= 32);
  (void)cgroup_sources(layout);
  return 0;
}
