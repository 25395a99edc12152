// `kscope profile` (on-CPU) and `kscope offcpu` (off-CPU): record for a
// while, write a flame graph, folded stacks or pprof.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/command.h"
#include "cli/stop_signals.h"
#include "model/target_labels.h"
#include "common/privileges.h"
#include "profiling/profile_output.h"
#include "profiling/profile_session.h"
#include "symbolize/target_process.h"

namespace kscope {
namespace {

struct RecordOptions {
  std::string duration = "30s";
  uint32_t pid = 0;
  std::string cgroup;
  uint32_t frequency = 99;
  std::string min_block = "1ms";
  std::string max_block = "0s";
  bool kernel_only = false;
  bool user_only = false;
  std::string output;
  bool quiet = false;
};

int record(ProfileKind kind, const RecordOptions& o) {
  auto priv = check_bpf_privileges();
  if (!priv) {
    std::cerr << "kscope: " << priv.error().message() << "\n";
    return 1;
  }
  auto format = output_format_for_path(o.output);
  if (!format) {
    std::cerr << "kscope: " << format.error().to_string() << "\n";
    return 2;
  }
  ProfileRequest req;
  req.kind = kind;
  // A bare number is seconds on the command line (`--duration 30`).
  bool bare = !o.duration.empty() && o.duration.find_first_not_of("0123456789.") == std::string::npos;
  auto duration = parse_duration(bare ? o.duration + "s" : o.duration);
  auto min_block = parse_duration(o.min_block);
  auto max_block = parse_duration(o.max_block);
  for (const auto* d : {&duration, &min_block, &max_block}) {
    if (!*d) {
      std::cerr << "kscope: " << d->error().to_string() << "\n";
      return 2;
    }
  }
  req.duration = *duration;
  // Fail fast: a pid that names no running process would record nothing for
  // the whole duration.
  std::optional<TargetProcess> target;
  if (o.pid != 0) {
    auto found = find_target_process("/proc", static_cast<pid_t>(o.pid));
    if (!found) {
      std::cerr << "kscope: " << found.error().to_string() << "\n";
      return 1;
    }
    target = *found;
  }
  req.tgid = o.pid;
  req.cgroup = o.cgroup;
  req.frequency = o.frequency;
  req.min_block = *min_block;
  req.max_block = *max_block;
  req.stacks.kernel = !o.user_only;
  req.stacks.user = !o.kernel_only;

  // Before any thread starts, so that every thread has them blocked.
  StopSignals& signals = StopSignals::install();
  const std::atomic<bool>& interrupted = signals.stop_requested();
  signals.set_note("already stopping: writing " + o.output +
                   " from what was recorded; further signals are ignored (SIGKILL abandons it, leaving no partial file)");

  Symbolizer symbolizer;
  bool tty = isatty(STDERR_FILENO) != 0 && !o.quiet;
  const char* noun = kind == ProfileKind::kCpu ? "samples" : "blocks";
  auto progress = [&](const ProfileProgress& p) {
    if (o.quiet) return;
    double left = std::max(0.0, std::chrono::duration<double>(p.total - p.elapsed).count());
    std::fprintf(stderr, "%srecording: %.0fs left, %llu %s so far%s", tty ? "\r" : "", left,
                 static_cast<unsigned long long>(p.samples), noun, tty ? "   " : "\n");
  };
  auto profile = record_profile(req, symbolizer, &interrupted, progress);
  if (tty) std::fprintf(stderr, "\n");
  if (!profile) {
    std::cerr << "kscope: " << profile.error().to_string() << "\n";
    return 1;
  }
  std::string title = kind == ProfileKind::kCpu ? "CPU Flame Graph" : "Off-CPU Flame Graph";
  if (o.pid != 0) title += " (pid " + std::to_string(o.pid) + ")";
  auto written = write_output_file(o.output, [&](const Sink& out) { write_profile(*profile, *format, title, out); });
  if (!written) {
    std::cerr << "kscope: " << written.error().to_string() << "\n";
    return 1;
  }
  // Said even with --quiet: the file covers less than was asked for.
  const bool exited = target && !interrupted && profile->duration_ns() < uint64_t(req.duration.count()) &&
                      !target_running("/proc", *target);
  if (exited) {
    std::fprintf(stderr, "pid %u exited after %.1fs of the %.1fs asked for: %s covers its life until then\n",
                 o.pid, double(profile->duration_ns()) * 1e-9, std::chrono::duration<double>(req.duration).count(),
                 o.output.c_str());
  }
  if (!o.quiet) {
    std::fprintf(stderr, "wrote %s: %zu stacks, %llu %s%s\n", o.output.c_str(), profile->stack_count(),
                 static_cast<unsigned long long>(profile->total_weight()),
                 kind == ProfileKind::kCpu ? "samples" : "ns blocked",
                 interrupted ? " (stopped early)" : exited ? " (the process exited)" : "");
  }
  return 0;
}

void add_record_command(CLI::App& app, CommandRunner& selected, ProfileKind kind) {
  auto o = std::make_shared<RecordOptions>();
  bool cpu = kind == ProfileKind::kCpu;
  auto* cmd = app.add_subcommand(cpu ? "profile" : "offcpu",
                                 cpu ? "Where does CPU time go? Sample on-CPU stacks and write a flame graph."
                                     : "Where do threads wait? Record off-CPU stacks weighted by blocked time.");
  cmd->add_option("--duration,-d", o->duration,
                  "How long to record: 30 (seconds), 500ms, 2m (Ctrl-C or SIGTERM stops early and still writes)")
      ->capture_default_str();
  // What an SRE scripting `timeout`/`kill` around it needs to know
  // (cli/stop_signals.h, common/atomic_file.h).
  cmd->footer(
      "Signals: the first SIGINT (Ctrl-C) or SIGTERM stops recording early; the file is still written from what "
      "was recorded and kscope exits 0 (\"stopped early\"). Further signals are ignored until it is written. The "
      "file appears complete or not at all: SIGKILL at any moment leaves the previous file (or none), never a "
      "partial one.");
  cmd->add_option("--pid,--tgid,-p", o->pid, "Only this process (thread group id)");
  cmd->add_option("--cgroup", o->cgroup, "Only this cgroup v2 path");
  if (cpu) {
    cmd->add_option("--frequency,-F", o->frequency, "Samples per second per CPU")->capture_default_str()
        ->check(CLI::Range(1, 10000));
  } else {
    cmd->add_option("--min-block", o->min_block, "Ignore blocks shorter than this")->capture_default_str();
    cmd->add_option("--max-block", o->max_block, "Ignore blocks longer than this (0s: no limit)")
        ->capture_default_str();
  }
  auto* k = cmd->add_flag("--kernel-only", o->kernel_only, "Kernel frames only");
  cmd->add_flag("--user-only", o->user_only, "User frames only")->excludes(k);
  cmd->add_option("--output,-o", o->output, "Output file: .svg, .html, .folded or .pb.gz (pprof); - for folded on stdout")
      ->required();
  cmd->add_flag("--quiet,-q", o->quiet, "No progress line");
  cmd->callback([o, kind, &selected] { selected = [o, kind] { return record(kind, *o); }; });
}

}  // namespace

void add_profile_commands(CLI::App& app, CommandRunner& selected) {
  add_record_command(app, selected, ProfileKind::kCpu);
  add_record_command(app, selected, ProfileKind::kOffCpu);
}

}  // namespace kscope
