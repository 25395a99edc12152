// On-CPU samples of a busy loop in a named function, on the host and in a
// chroot (whose binary path does not exist on the host, so only
// /proc/PID/root can name its frames).
#include <unistd.h>

#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "probes/profile_probe.h"
#include "sched_workload.h"
#include "symbolize/symbolizer.h"

namespace kscope {
namespace {

namespace fs = std::filesystem;
using testing::Workload;
using testing::workload_path;

constexpr uint32_t kHz = 199;
constexpr double kBurnSeconds = 2.0;

struct Tally {
  uint64_t samples = 0;       // of the burner process
  uint64_t in_function = 0;   // whose user stack names the busy function
  std::string module;         // the file that function was found in
};

// Profiles `burner` (started by make()) until it says done, and counts its
// samples while it is still alive.
Tally profile(const std::function<std::unique_ptr<Workload>()>& make) {
  Tally t;
  Config config = testing::quiet_config();
  config.probes.profile.enabled = true;
  config.probes.profile.frequency = kHz;
  auto probe = create_profile_probe();
  auto st = probe->start(config);
  EXPECT_TRUE(st.ok()) << st.error().to_string();
  if (!st.ok()) return t;
  auto burner = make();
  EXPECT_EQ(burner->read_line(), "done");
  Symbolizer sym;
  for (const auto& s : probe->cpu_stacks()) {
    if (s.tgid != static_cast<uint32_t>(burner->pid())) continue;
    t.samples += s.weight;
    for (const auto& f : sym.symbolize_user(burner->pid(), s.user)) {
      if (f.function != "burn_cpu_in_named_function") continue;
      t.in_function += s.weight;
      t.module = f.module;
      break;
    }
  }
  EXPECT_EQ(burner->finish(), 0);
  return t;
}

class SchedProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "loading BPF programs needs root";
    if (!fs::exists(workload_path("cpu_burner"))) GTEST_SKIP() << "workloads not built";
  }
};

TEST_F(SchedProfileTest, BusyLoopIsNamedAndMakesUpMostSamples) {
  Tally t = profile([] {
    return std::make_unique<Workload>(std::vector<std::string>{workload_path("cpu_burner"), "2"});
  });
  // Up to kHz samples per second of CPU it got (the CPUs are shared).
  EXPECT_GT(t.samples, 20u);
  EXPECT_LE(t.samples, static_cast<uint64_t>(kHz * kBurnSeconds * 1.1));
  EXPECT_GT(double(t.in_function), 0.9 * double(t.samples)) << t.in_function << " of " << t.samples;
  EXPECT_EQ(t.module, workload_path("cpu_burner"));
}

// The shared libraries and interpreter of a binary, from ldd.
std::vector<std::string> needed_libraries(const std::string& binary) {
  std::vector<std::string> libs;
  std::unique_ptr<FILE, decltype(&pclose)> p(popen(("ldd " + binary).c_str(), "r"), &pclose);
  char line[4096];
  while (p && fgets(line, sizeof(line), p.get()) != nullptr) {
    std::string l(line);
    size_t slash = l.find('/');
    if (slash == std::string::npos) continue;
    libs.push_back(l.substr(slash, l.find_first_of(" \n(", slash) - slash));
  }
  return libs;
}

TEST_F(SchedProfileTest, ChrootedBusyLoopIsNamed) {
  char pattern[] = "/tmp/kscope-profile-chroot-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string root = pattern, inside = "/opt/kscope-chroot/cpu_burner";
  ASSERT_FALSE(fs::exists(inside));
  fs::create_directories(fs::path(root + inside).parent_path());
  fs::copy_file(workload_path("cpu_burner"), root + inside);
  for (const auto& lib : needed_libraries(workload_path("cpu_burner"))) {
    fs::create_directories(fs::path(root + lib).parent_path());
    fs::copy_file(lib, root + lib, fs::copy_options::overwrite_existing);
  }
  Tally t = profile([&] {
    const char* r = root.c_str();
    return std::make_unique<Workload>(std::vector<std::string>{inside, "2"},
                                      [r] { return chroot(r) == 0 && chdir("/") == 0; });
  });
  EXPECT_GT(t.samples, 20u);
  EXPECT_GT(double(t.in_function), 0.9 * double(t.samples)) << t.in_function << " of " << t.samples;
  EXPECT_EQ(t.module, root + inside);
  std::error_code ec;
  fs::remove_all(root, ec);
}

}  // namespace
}  // namespace kscope
