// kscope: eBPF golden signals, flame graphs and alerts for a Linux host.
#include <spdlog/spdlog.h>

#include "cli/command.h"

int main(int argc, char** argv) {
  CLI::App app{"kscope: per-syscall latency, scheduler saturation, TCP errors, on- and off-CPU "
               "flame graphs, alerts and a Prometheus endpoint, from eBPF."};
  app.require_subcommand(1);
  app.fallthrough();  // global options (--log-level) also after the subcommand
  app.set_version_flag("--version", KSCOPE_VERSION);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  kscope::CommandRunner selected;
  kscope::add_run_command(app, selected);
  kscope::add_check_command(app, selected);
  kscope::add_trace_command(app, selected);
  kscope::add_top_command(app, selected);
  kscope::add_report_command(app, selected);
  kscope::add_profile_commands(app, selected);
  kscope::add_diff_command(app, selected);

  CLI11_PARSE(app, argc, argv);
  kscope::setup_logging(log_level);
  return selected ? selected() : 2;
}
