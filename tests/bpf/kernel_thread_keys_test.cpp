// Kernel threads are known by PF_KTHREAD in the kernel, not by name: their
// run-queue series carry kernel="true", and a process that calls itself
// kcompactd0 (a real kernel thread's name) is a separate series without it.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "bpf_test_support.h"
#include "model/target_labels.h"
#include "probes/sched_probe.h"
#include "sched_workload.h"

namespace kscope {
namespace {

using testing::Workload;
using testing::workload_path;

TEST(KernelThreadKeysTest, KernelFlagComesFromTheKernelNotTheName) {
  KSCOPE_REQUIRE_BPF();
  Config config = testing::quiet_config();
  config.probes.sched.enabled = true;
  config.breakdown = Breakdown::kComm;
  auto probe = create_sched_probe();
  auto st = probe->start(config);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  // Two impostors on one CPU wait for each other; the exec'd name is the
  // symlink's, so their comm is kcompactd0.
  const auto dir = std::filesystem::temp_directory_path() / ("kscope-kthread-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto impostor = dir / "kcompactd0";
  std::filesystem::create_symlink(workload_path("sched_spinner"), impostor);
  {
    Workload a({impostor.string(), "0", "2"}), b({impostor.string(), "0", "2"});
    // Work queued on every CPU's kworker, which the kernel runs for us.
    for (int i = 0; i < 5; ++i) {
      std::ofstream("/proc/sys/vm/stat_refresh") << "1\n";
      usleep(200'000);
    }
    EXPECT_EQ(a.finish(), 0);
    EXPECT_EQ(b.finish(), 0);
  }
  std::filesystem::remove_all(dir);

  std::vector<Family> families;
  CollectContext ctx{config, families};
  probe->collect(ctx);
  uint64_t impostor_waits = 0, kernel_series = 0;
  bool kworker_marked = false;
  for (const auto& f : families) {
    if (f.name != "kscope_runqueue_latency_seconds") continue;
    for (const auto& s : f.series) {
      const std::string* comm = s.label("comm");
      const std::string* kernel = s.label(kKernelLabel);
      ASSERT_NE(comm, nullptr);
      if (kernel != nullptr) {
        EXPECT_EQ(*kernel, "true");
        ++kernel_series;
        kworker_marked = kworker_marked || comm->starts_with("kworker/");
        continue;
      }
      if (*comm == "kcompactd0") impostor_waits += s.histogram->count();
      EXPECT_FALSE(comm->starts_with("kworker/")) << "a kworker without kernel=\"true\"";
    }
  }
  EXPECT_GT(impostor_waits, 10u) << "the impostors' waits are a user series";
  EXPECT_GT(kernel_series, 0u);
  EXPECT_TRUE(kworker_marked) << "the kworkers that ran stat_refresh are kernel=\"true\"";
}

}  // namespace
}  // namespace kscope
