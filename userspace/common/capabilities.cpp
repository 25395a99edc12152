#include "common/capabilities.h"

#include <dirent.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

namespace kscope {
namespace {

constexpr int kCapPerfmon = 38, kCapBpf = 39;

// The sets every thread applies, written before any signal is sent.
std::atomic<uint64_t> g_keep{0};
std::atomic<int> g_last_cap{40};
std::atomic<int> g_done{0};
std::atomic<int> g_failed{0};

int last_cap() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int n = 0;
  if (in >> n && n > 0 && n < 64) return n;
  return 40;
}

// Async-signal-safe: only syscalls.
bool lower_this_thread(uint64_t keep, int last) {
  bool ok = true;
  for (int cap = 0; cap <= last; ++cap) {
    if (keep & (uint64_t{1} << cap)) continue;
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) ok = false;
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  for (int w = 0; w < 2; ++w) {
    uint32_t k = static_cast<uint32_t>(keep >> (32 * w));
    data[w].permitted &= k;
    data[w].effective = data[w].permitted;
    data[w].inheritable = 0;
  }
  if (syscall(SYS_capset, &header, data) != 0) ok = false;
  return ok;
}

// Async-signal-safe: only syscalls and atomics.
bool apply_to_this_thread() { return lower_this_thread(g_keep.load(), g_last_cap.load()); }

void on_drop_signal(int) {
  int saved = errno;
  if (!apply_to_this_thread()) g_failed.fetch_add(1);
  g_done.fetch_add(1);
  errno = saved;
}

std::set<pid_t> thread_ids() {
  std::set<pid_t> out;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') out.insert(static_cast<pid_t>(std::atoi(e->d_name)));
  }
  closedir(d);
  return out;
}

}  // namespace

std::vector<int> agent_kept_capabilities() {
  return {kCapBpf, kCapPerfmon, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_SYSLOG};
}

bool drop_this_thread_capabilities(const std::vector<int>& keep) {
  uint64_t mask = 0;
  for (int c : keep) mask |= uint64_t{1} << c;
  return lower_this_thread(mask, last_cap());
}

std::string capability_names(const std::vector<int>& caps) {
  std::string out;
  for (int c : caps) {
    const char* name = c == kCapBpf               ? "cap_bpf"
                       : c == kCapPerfmon         ? "cap_perfmon"
                       : c == CAP_SYS_PTRACE      ? "cap_sys_ptrace"
                       : c == CAP_DAC_READ_SEARCH ? "cap_dac_read_search"
                       : c == CAP_SYSLOG          ? "cap_syslog"
                                                  : nullptr;
    if (!out.empty()) out += ',';
    out += name != nullptr ? std::string(name) : "cap_" + std::to_string(c);
  }
  return out;
}

Result<int> drop_capabilities(const std::vector<int>& keep) {
  uint64_t mask = 0;
  for (int c : keep) mask |= uint64_t{1} << c;
  g_keep = mask;
  g_last_cap = last_cap();
  g_done = 0;
  g_failed = 0;
  // A real-time signal nobody else uses; glibc's SIGRTMIN already skips its own.
  const int sig = SIGRTMIN + 4;
  struct sigaction sa = {};
  sa.sa_handler = on_drop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  if (sigaction(sig, &sa, nullptr) != 0) return Error("cannot install the capability-drop signal handler", "", errno);

  const pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  std::set<pid_t> handled{self};
  bool self_ok = apply_to_this_thread();
  int sent = 0;
  // A thread created while we signal inherits its creator's sets, maybe the
  // old ones: rescan until no unseen thread remains.
  for (int round = 0; round < 10; ++round) {
    int new_threads = 0;
    for (pid_t tid : thread_ids()) {
      if (!handled.insert(tid).second) continue;
      if (syscall(SYS_tgkill, getpid(), tid, sig) == 0) {
        ++sent;
        ++new_threads;
      }
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (g_done.load() < sent && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (new_threads == 0) break;
  }
  // The handler stays: a signal still in flight must not meet the default
  // action (terminate); running it again changes nothing.
  if (!self_ok || g_failed.load() > 0) {
    return Error("cannot drop capabilities in " + std::to_string(g_failed.load() + (self_ok ? 0 : 1)) + " thread(s)",
                 "", EPERM);
  }
  // The criterion that matters: no thread alive now holds more than `keep`
  // (a thread that exited before its signal arrived needs nothing).
  for (pid_t tid : thread_ids()) {
    std::ifstream status("/proc/self/task/" + std::to_string(tid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("CapEff:", 0) != 0) continue;
      uint64_t eff = std::strtoull(line.c_str() + 7, nullptr, 16);
      if ((eff & ~mask) != 0) {
        return Error("thread " + std::to_string(tid) + " kept capabilities after the drop",
                     "a thread blocks real-time signals");
      }
    }
  }
  return sent + 1;
}

}  // namespace kscope
