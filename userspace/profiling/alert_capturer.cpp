#include "profiling/alert_capturer.h"

#include <optional>
#include <thread>

#include "flamegraph/folded.h"
#include "profiling/profile_output.h"
#include "profiling/profile_session.h"

namespace kscope {

Result<CaptureResult> AlertProfileCapturer::capture(const CaptureTarget& target, Nanos duration,
                                                    const std::string& dir) {
  ProfileRequest cpu;
  cpu.duration = duration;
  if (target.label == "comm") cpu.process_name = target.value;
  if (target.label == "cgroup") cpu.cgroup = target.value;
  ProfileRequest off = cpu;
  off.kind = ProfileKind::kOffCpu;

  // Both at once: the alert wants what the target did during the same window.
  std::optional<Result<Profile>> off_result;
  std::thread off_thread([&] { off_result.emplace(record_profile(off, *symbolizer_)); });
  auto cpu_result = record_profile(cpu, *symbolizer_);
  off_thread.join();
  if (!cpu_result) return cpu_result.error().with_context("cpu profile");
  if (!*off_result) return off_result->error().with_context("off-CPU profile");

  std::string who = target.label.empty() ? "host" : target.label + " " + target.value;
  CaptureResult out;
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
  for (const auto& item : items) {
    auto st = write_output_file(dir + "/" + item.file,
                                [&](const Sink& s) { write_profile(*item.profile, item.format, item.title, s); });
    if (!st) return st.error();
    out.files.push_back(item.file);
  }
  return out;
}

}  // namespace kscope
