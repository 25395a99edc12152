#include "common/privileges.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

namespace kscope {

bool has_capability(int cap) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  int word = cap / 32, bit = cap % 32;
  return (data[word].effective & (1u << bit)) != 0;
}

Status check_bpf_privileges() {
  // CAP_BPF (39) and CAP_PERFMON (38) split CAP_SYS_ADMIN's BPF powers.
  constexpr int kCapPerfmon = 38, kCapBpf = 39;
  bool bpf = has_capability(kCapBpf) || has_capability(CAP_SYS_ADMIN);
  bool perfmon = has_capability(kCapPerfmon) || has_capability(CAP_SYS_ADMIN);
  if (bpf && perfmon) return ok_status();
  std::string missing = !bpf && !perfmon ? "CAP_BPF and CAP_PERFMON" : (!bpf ? "CAP_BPF" : "CAP_PERFMON");
  return Error("missing " + missing + ": run as root or grant them with setcap cap_bpf,cap_perfmon+ep");
}

}  // namespace kscope
