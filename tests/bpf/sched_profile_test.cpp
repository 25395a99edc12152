// On-CPU samples of a busy loop in a named function, on the host and in a
// chroot (whose binary path does not exist on the host, so only
// /proc/PID/root can name its frames).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "flamegraph/folded.h"
#include "probes/profile_probe.h"
#include "probes/stack_sample.h"
#include "profiling/profile_builder.h"
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
  // The other samples as folded stacks, for a failure message.
  std::string elsewhere;
};

// Runs the burner (argv; setup runs in the child before exec) under a profile
// probe filtered to its pid, and counts its samples while it is still alive.
//
// Why the filter: user and kernel stacks share one BPF stack map, and
// bpf_get_stackid fails with EEXIST when a stack's hash bucket already holds
// a different stack. The burner's loop is sampled at about four IPs, one of
// them with a third of its samples, so one collision with any of the
// hundreds of stacks the rest of the machine leaves in the map (a compiler
// running beside the tests) lost a quarter of the samples: 291 of 398 were
// seen. With the filter only the burner's own handful of stacks is there. The
// child waits before exec, on a pipe, until the probe is attached, because
// the filter needs its pid.
Tally profile(std::vector<std::string> argv, std::function<bool()> setup = {}) {
  Tally t;
  int gate[2];
  if (pipe2(gate, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << strerror(errno);
    return t;
  }
  Workload burner(std::move(argv), [&gate, &setup] {
    char c;
    close(gate[1]);  // so that the parent closing its end is an EOF here
    return read(gate[0], &c, 1) == 1 && (!setup || setup());
  });
  close(gate[0]);
  Config config = testing::quiet_config();
  config.probes.profile.enabled = true;
  config.probes.profile.frequency = kHz;
  config.filter_pid = static_cast<uint32_t>(burner.pid());
  auto probe = create_profile_probe();
  auto st = probe->start(config);
  EXPECT_TRUE(st.ok()) << st.error().to_string();
  bool started = st.ok() && write(gate[1], "g", 1) == 1;
  close(gate[1]);
  if (!started) return t;
  EXPECT_EQ(burner.read_line(), "done");
  Symbolizer sym;
  std::vector<StackSample> others;
  for (const auto& s : probe->cpu_stacks()) {
    EXPECT_EQ(s.tgid, static_cast<uint32_t>(burner.pid())) << "the pid filter lets nothing else in";
    t.samples += s.weight;
    bool named = false;
    for (const auto& f : sym.symbolize_user(burner.pid(), s.user)) {
      if (f.function != "burn_cpu_in_named_function") continue;
      t.in_function += s.weight;
      t.module = f.module;
      named = true;
      break;
    }
    if (!named) others.push_back(s);
  }
  // Symbolized now: the burner must still be alive.
  write_folded(build_profile(others, sym, ProfileKind::kCpu, 1'000'000'000 / kHz),
               [&t](std::string_view text) { t.elsewhere.append(text); });
  EXPECT_EQ(burner.finish(), 0);
  return t;
}

class SchedProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "loading BPF programs needs root";
    ASSERT_TRUE(fs::exists(workload_path("cpu_burner"))) << "workloads not built";
  }
};

TEST_F(SchedProfileTest, BusyLoopIsNamedAndMakesUpMostSamples) {
  Tally t = profile({workload_path("cpu_burner"), "2"});
  // Up to kHz samples per second of CPU it got (the CPUs are shared).
  EXPECT_GT(t.samples, 20u);
  EXPECT_LE(t.samples, static_cast<uint64_t>(kHz * kBurnSeconds * 1.1));
  EXPECT_GT(double(t.in_function), 0.9 * double(t.samples))
      << t.in_function << " of " << t.samples << "; samples not in the function:\n" << t.elsewhere;
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
  const char* r = root.c_str();
  Tally t = profile({inside, "2"}, [r] { return chroot(r) == 0 && chdir("/") == 0; });
  EXPECT_GT(t.samples, 20u);
  EXPECT_GT(double(t.in_function), 0.9 * double(t.samples))
      << t.in_function << " of " << t.samples << "; samples not in the function:\n" << t.elsewhere;
  EXPECT_EQ(t.module, root + inside);
  std::error_code ec;
  fs::remove_all(root, ec);
}

}  // namespace
}  // namespace kscope
