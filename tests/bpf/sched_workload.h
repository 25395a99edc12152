// A workload child process for the scheduler and profile tests: stdin and
// stdout are pipes, so a test can start it, wait for its "done" line while
// it is still alive (its stacks must symbolize) and then let it exit.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"

namespace kscope::testing {

class Workload {
 public:
  // setup runs in the child before exec (raw syscalls only: chroot...).
  explicit Workload(std::vector<std::string> argv, std::function<bool()> setup = {}) {
    int in[2], out[2];
    // Close-on-exec: a second workload must not inherit this one's pipes
    // (it would keep its stdin open after finish()).
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      close(in[1]);
      close(out[0]);
      if (setup && !setup()) _exit(126);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~Workload() {
    if (stdin_ >= 0) close(stdin_);
    if (stdout_ >= 0) close(stdout_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  pid_t pid() const { return pid_; }
  bool send(char c) { return stdin_ >= 0 && write(stdin_, &c, 1) == 1; }
  // Blocks until the child writes a line (or exits: empty string).
  std::string read_line() {
    std::string line;
    char c;
    while (read(stdout_, &c, 1) == 1 && c != '\n') line += c;
    return line;
  }
  // Everything the child writes until it closes stdout (exits).
  std::string read_all() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(stdout_, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  // Closes stdin (the workloads exit on EOF) and reaps the child.
  int finish() {
    if (stdin_ >= 0) close(stdin_);
    stdin_ = -1;
    int status = 0;
    if (pid_ > 0) waitpid(pid_, &status, 0);
    pid_ = 0;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
};

inline std::string workload_path(const std::string& name) { return std::string(KSCOPE_WORKLOAD_DIR) + "/" + name; }

// One field of /proc/PID/status ("voluntary_ctxt_switches"), -1 if absent.
inline long long proc_status_field(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

// The state letter of /proc/PID/stat ('R', 'S', ...).
inline char proc_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = all.rfind(')');
  return paren == std::string::npos || paren + 2 >= all.size() ? '?' : all[paren + 2];
}

// The embedded defaults with every probe off; tests turn on what they need.
inline Config quiet_config() {
  auto cfg = parse_config(default_config_text(), "default");
  Config c = cfg ? *cfg : Config{};
  c.probes.syscalls.enabled = c.probes.sched.enabled = c.probes.offcpu.enabled = c.probes.profile.enabled =
      c.probes.tcp.enabled = c.probes.exits.enabled = false;
  return c;
}

}  // namespace kscope::testing
