#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <linux/magic.h>

#include "agent/agent.h"
#include "cgroups/cgroup_layout.h"
#include "cli/command.h"
#include "common/capabilities.h"
#include "common/privileges.h"
#include "host/host_metrics.h"
#include "probes/probe_registry.h"

namespace kscope {
namespace {

bool is_mounted(const char* path, long magic) {
  struct statfs st;
  return statfs(path, &st) == 0 && static_cast<long>(st.f_type) == magic;
}

void line(const std::string& what, const std::string& state, const std::string& detail) {
  std::printf("%-22s %-12s %s\n", what.c_str(), state.c_str(), detail.c_str());
}

}  // namespace

void add_check_command(CLI::App& app, CommandRunner& selected) {
  auto mount_fs = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("check", "Can kscope run here? Kernel, BTF, privileges, and each probe.");
  cmd->add_flag("--mount", *mount_fs, "Mount bpffs and tracefs when they are missing");
  cmd->callback([mount_fs, &selected] {
    selected = [mount_fs]() -> int {
      auto priv = check_bpf_privileges();
      if (!priv) {
        std::cerr << "kscope check: " << priv.error().message() << "\n";
        return 1;
      }
      struct utsname u;
      uname(&u);
      line("kernel", "ok", std::string(u.release) + " (" + u.machine + ")");
      bool btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
      line("btf", btf ? "ok" : "missing",
           btf ? "/sys/kernel/btf/vmlinux"
               : "kernel BTF not found at /sys/kernel/btf/vmlinux: CO-RE needs CONFIG_DEBUG_INFO_BTF=y");
      line("privileges", "ok", geteuid() == 0 ? "root" : "CAP_BPF and CAP_PERFMON");
      // What `kscope run` keeps once attached, for whoever writes a unit's
      // CapabilityBoundingSet or a pod's capabilities (packaging/, deploy/).
      line("capabilities", "ok", capability_names(agent_kept_capabilities()) + " (kept by kscope run after attach)");

      struct FsCheck {
        const char* name;
        const char* path;
        long magic;
        const char* type;
        const char* why;
      };
      const FsCheck fss[] = {
          {"bpffs", "/sys/fs/bpf", BPF_FS_MAGIC, "bpf", "not needed by kscope (no pinning)"},
          {"tracefs", "/sys/kernel/tracing", TRACEFS_MAGIC, "tracefs",
           "not needed by kscope (tp_btf); the peers' tracepoints need it"},
      };
      for (const auto& fs : fss) {
        bool mounted = is_mounted(fs.path, fs.magic);
        if (!mounted && *mount_fs) {
          mounted = mount(fs.type, fs.path, fs.type, 0, nullptr) == 0;
          if (!mounted) std::perror((std::string("mount ") + fs.path).c_str());
        }
        line(fs.name, mounted ? "ok" : "not mounted",
             mounted ? fs.path
                     : std::string(fs.why) + "; mount with: mount -t " + fs.type + " " + fs.type + " " + fs.path +
                           " (or kscope check --mount)");
      }

      {
        BpfStatsEnabler stats;
        line("bpf run stats", stats.active() ? "ok" : "unsupported",
             stats.active() ? "per-program run time (kscope_bpf_program_*, the CPU budget)"
                            : "BPF_ENABLE_STATS failed: no kscope_bpf_program_run_seconds_total, and "
                              "budget.cpu_percent sees no cost");
      }

      // The kernel's files behind the host's node_* families (resources.host).
      for (const auto& src : host_sources()) {
        line("host " + src.name, src.available ? "ok" : "missing", src.detail);
      }
      // The cgroup files behind kscope_cgroup_* (resources.cgroups), named
      // "cgroup memory" for the source "cgroup.memory".
      for (auto src : cgroup_sources()) {
        std::replace(src.name.begin(), src.name.end(), '.', ' ');
        line(src.name, src.available ? "ok" : "missing", src.detail);
      }

      auto cfg = parse_config(default_config_text(), "<embedded default config>");
      if (!cfg) {
        std::cerr << cfg.error().to_string() << "\n";
        return 1;
      }
      // Load every probe, enabled by default or not, to say what works here.
      Config all = *cfg;
      all.probes.syscalls.enabled = all.probes.sched.enabled = all.probes.offcpu.enabled =
          all.probes.profile.enabled = all.probes.tcp.enabled = all.probes.exits.enabled =
              all.probes.l7.enabled = true;
      auto loaded = load_probes(all);
      int up = 0;
      // Every family of the config's probes: section; a probe that serves
      // two (sched: sched and offcpu) is loaded once and named on both.
      for (const auto& st : family_statuses(all.probes, loaded->statuses)) {
        const std::string shared = st.probe == st.family ? "" : " (with the " + st.probe + " probe)";
        line("probe " + st.family, st.up ? "ok" : "unsupported", st.up ? "loads and attaches" + shared : st.reason);
        up += st.up ? 1 : 0;
      }
      if (up == 0) {
        std::cerr << "kscope check: no probe can run on this host\n";
        return 1;
      }
      return 0;
    };
  });
}

}  // namespace kscope
