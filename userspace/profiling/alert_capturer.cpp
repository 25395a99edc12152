#include "profiling/alert_capturer.h"

#include <optional>
#include <thread>

#include "common/thread_name.h"
#include "flamegraph/folded.h"
#include "profiling/profile_output.h"
#include "profiling/profile_session.h"

namespace kscope {

Result<CaptureResult> AlertProfileCapturer::capture(const CaptureTarget& target, Nanos duration,
                                                    const std::string& dir, const std::atomic<bool>& stop) {
  ProfileRequest cpu;
  cpu.duration = duration;
  if (target.label == "comm") cpu.process_name = target.value;
  if (target.label == "cgroup") cpu.cgroup = target.value;
  ProfileRequest off = cpu;
  off.kind = ProfileKind::kOffCpu;

  // Both at once: the alert wants what the target did during the same window.
  std::optional<Result<Profile>> off_result;
  std::thread off_thread([&] {
    name_this_thread("kscope-capture");
    off_result.emplace(record_profile(off, *symbolizer_, &stop));
  });
  auto cpu_result = record_profile(cpu, *symbolizer_, &stop);
  off_thread.join();
  if (!cpu_result) return cpu_result.error().with_context("cpu profile");
  if (!*off_result) return off_result->error().with_context("off-CPU profile");

  std::string who = target.label.empty() ? "host" : target.label + " " + target.value;
  CaptureResult out;
  out.recorded = Nanos(static_cast<int64_t>(cpu_result->duration_ns()));
  // record_profile runs to the deadline unless stopped.
  out.stopped_early = out.recorded < duration;
  struct Item {
    const Profile* profile;
    const char* file;
    OutputFormat format;
    std::string title;
  };
  const Item items[] = {
      {&*cpu_result, kCaptureCpuFile, OutputFormat::kSvg, "CPU: " + who},
      {&**off_result, kCaptureOffcpuFile, OutputFormat::kSvg, "Off-CPU: " + who},
      {&*cpu_result, "cpu.folded", OutputFormat::kFolded, ""},
      {&**off_result, "offcpu.folded", OutputFormat::kFolded, ""},
  };
  // Each file appears whole or not at all: a SIGKILL between two of them
  // leaves some whole flame graphs and a capture.json saying "running".
  for (const auto& item : items) {
    auto st = write_output_file(dir + "/" + item.file,
                                [&](const Sink& s) { write_profile(*item.profile, item.format, item.title, s); });
    if (!st) return st.error();
    out.files.push_back(item.file);
  }
  return out;
}

}  // namespace kscope
