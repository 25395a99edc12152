#include "common/capabilities.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace kscope {
namespace {

uint64_t status_field(const std::string& path, const std::string& field) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtoull(line.c_str() + field.size() + 1, nullptr, 16);
  }
  return ~uint64_t{0};
}

// In a child process (the drop is for good): threads started before the drop
// lose everything but the kept capability too, in every set.
TEST(Capabilities, DropReachesEveryThread) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&] {
        while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      });
    }
    auto dropped = drop_capabilities({CAP_SYS_PTRACE});
    int rc = dropped.ok() && *dropped == 5 ? 0 : 10;
    const uint64_t allowed = uint64_t{1} << CAP_SYS_PTRACE;
    int checked = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
      std::string status = e.path().string() + "/status";
      for (const char* f : {"CapEff", "CapPrm", "CapBnd"}) {
        if ((status_field(status, f) & ~allowed) != 0) rc = 11;
      }
      if (status_field(status, "CapInh") != 0) rc = 12;
      ++checked;
    }
    if (checked != 5) rc = 13;
    stop = true;
    for (auto& t : threads) t.join();
    _exit(rc);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: drop failed, 11: a thread kept a capability, 12: inheritable, "
                                       "13: thread count";
}

TEST(Capabilities, KeptSetIsNamed) {
  EXPECT_EQ(capability_names(agent_kept_capabilities()),
            "cap_bpf,cap_perfmon,cap_sys_ptrace,cap_dac_read_search,cap_syslog");
}

}  // namespace
}  // namespace kscope
