// `kscope trace --min-latency 50ms` against a child that sleeps 100 ms once
// among 1 ms sleeps, and against one whose only slow syscall that is not an
// idle wait is a 200 ms poll among 100 idle waits: the real binary, the
// real kernel.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

namespace {

// A child process with its stdin, stdout and stderr on pipes.
struct Child {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;

  static Child spawn(const std::vector<std::string>& argv) {
    int pin[2], pout[2], perr[2];
    if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC)) std::abort();
    Child c;
    c.pid = fork();
    if (c.pid == 0) {
      dup2(pin[0], 0);
      dup2(pout[1], 1);
      dup2(perr[1], 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    close(perr[1]);
    c.in = pin[1];
    c.out = pout[0];
    c.err = perr[0];
    return c;
  }

  // Reads from fd until `needle` appears in what was read or the timeout.
  static bool read_until(int fd, std::string& acc, const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (acc.find(needle) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = read(fd, buf, sizeof(buf));
      if (n <= 0) return acc.find(needle) != std::string::npos;
      acc.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  static std::string read_all(int fd) {
    std::string acc;
    read_until(fd, acc, std::string(1, '\0'), std::chrono::seconds(10));
    return acc;
  }

  int wait() {
    int status = 0;
    waitpid(pid, &status, 0);
    for (int fd : {in, out, err}) {
      if (fd >= 0) close(fd);
    }
    return status;
  }
};

struct TraceRun {
  pid_t sleeper = 0;
  std::string out;
  std::string err;
};

// Starts the workload, then `kscope trace` with extra_args, lets the
// workload run, and stops kscope with SIGINT once the workload is done.
TraceRun trace_workload(const std::string& workload, const std::vector<std::string>& extra_args, bool with_pid) {
  TraceRun run;
  Child sleeper = Child::spawn({std::string(KSCOPE_WORKLOAD_DIR) + "/" + workload});
  std::string s_out;
  EXPECT_TRUE(Child::read_until(sleeper.out, s_out, "\n", std::chrono::seconds(5)));
  run.sleeper = std::stoi(s_out);

  std::vector<std::string> argv{KSCOPE_BINARY, "trace", "--min-latency", "50ms"};
  if (with_pid) {
    argv.push_back("--pid");
    argv.push_back(std::to_string(run.sleeper));
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  Child kscope = Child::spawn(argv);
  EXPECT_TRUE(Child::read_until(kscope.err, run.err, "Ctrl-C to stop", std::chrono::seconds(30))) << run.err;

  EXPECT_EQ(write(sleeper.in, "go\n", 3), 3);
  EXPECT_TRUE(Child::read_until(sleeper.out, s_out, "done", std::chrono::seconds(20)));
  // Records wait for the reader's poll timeout (100 ms) at most.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  kill(kscope.pid, SIGINT);
  run.out = Child::read_all(kscope.out);
  std::string rest = Child::read_all(kscope.err);
  run.err += rest;
  int status = kscope.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << run.err;
  close(sleeper.in);
  sleeper.in = -1;
  sleeper.wait();
  return run;
}

// slow_sleeper's sleeps are idle waits: asked for, they are traced.
TraceRun trace_sleeper(std::vector<std::string> extra_args, bool with_pid) {
  extra_args.push_back("--include-idle");
  return trace_workload("slow_sleeper", extra_args, with_pid);
}

class TraceSlowSyscallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";
  }
};

TEST_F(TraceSlowSyscallTest, JsonShowsTheSlowSleepWithItsStackAndNotTheFastOnes) {
  TraceRun run = trace_sleeper({"--stacks", "--json"}, /*with_pid=*/true);
  std::istringstream lines(run.out);
  int slow = 0;
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);  // every line is one JSON object
    ASSERT_EQ(j["type"], "slow_syscall") << line;
    ASSERT_EQ(j["pid"], run.sleeper) << "--pid filters in the kernel";
    ++slow;
    EXPECT_EQ(j["syscall"], "nanosleep");
    EXPECT_EQ(j["comm"], "slow_sleeper");
    EXPECT_EQ(j["ret"], 0);
    EXPECT_EQ(j["idle_wait"], true);
    EXPECT_GE(j["duration_ns"].get<uint64_t>(), 100000000u);
    EXPECT_LE(j["duration_ns"].get<uint64_t>(), 150000000u);
    bool named = false;
    for (const auto& f : j["user_stack"]) named = named || f["function"] == "sleep_slowly";
    EXPECT_TRUE(named) << j["user_stack"].dump();
    EXPECT_FALSE(j["kernel_stack"].empty());
  }
  EXPECT_EQ(slow, 1) << "the 1 ms sleeps are below the threshold:\n" << run.out;
  EXPECT_NE(run.err.find("1 events, 0 lost in the kernel"), std::string::npos) << run.err;
}

TEST_F(TraceSlowSyscallTest, TextLinesWithoutPidFilterIncludeTheSleeper) {
  TraceRun run = trace_sleeper({"--stacks", "--syscall", "nanosleep"}, /*with_pid=*/false);
  std::string header = "pid=" + std::to_string(run.sleeper) + " tid=" + std::to_string(run.sleeper) +
                       " comm=slow_sleeper syscall=nanosleep duration=1";
  auto at = run.out.find(header);
  ASSERT_NE(at, std::string::npos) << run.out;
  // The stack follows the line, indented, kernel frames then user frames.
  auto next_event = run.out.find(" slow_syscall ", at);
  std::string block = run.out.substr(at, next_event == std::string::npos ? std::string::npos : next_event - at);
  EXPECT_NE(block.find("\n    sleep_slowly+0x"), std::string::npos) << block;
  EXPECT_NE(block.find("\n    --\n"), std::string::npos) << block;
  EXPECT_EQ(run.out.find("duration=1.0"), std::string::npos) << "no 1 ms sleeps:\n" << run.out;
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> events;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) events.push_back(nlohmann::json::parse(line));
  return events;
}

TEST_F(TraceSlowSyscallTest, TheSlowPollStandsOutAndTheIdleWaitsAreLeftOut) {
  TraceRun run = trace_workload("idle_waiter", {"--json", "--stacks"}, /*with_pid=*/true);
  auto events = json_lines(run.out);
  ASSERT_EQ(events.size(), 1u) << "100 idle waits of 60 ms, one poll of 200 ms:\n" << run.out;
  const auto& j = events[0];
  EXPECT_EQ(j["syscall"], "poll");
  EXPECT_EQ(j["ret"], 1);
  EXPECT_EQ(j["idle_wait"], false);
  EXPECT_GE(j["duration_ns"].get<uint64_t>(), 200000000u);
  bool named = false;
  for (const auto& f : j["user_stack"]) named = named || f["function"] == "wait_for_reply";
  EXPECT_TRUE(named) << j["user_stack"].dump();
  // The kernel stack starts where the thread was, not in kscope's probe.
  ASSERT_FALSE(j["kernel_stack"].empty());
  for (const auto& f : j["kernel_stack"]) {
    std::string fn = f["function"];
    EXPECT_TRUE(fn.rfind("bpf_trace_run", 0) != 0 && fn.rfind("__traceiter_", 0) != 0 && fn != "syscall_exit_work" &&
                fn.find("handle_sys_exit") == std::string::npos)
        << j["kernel_stack"].dump();
  }
  EXPECT_NE(run.err.find("idle waits left out"), std::string::npos) << run.err;
}

TEST_F(TraceSlowSyscallTest, IncludeIdleShowsEveryIdleWaitMarkedAsSuch) {
  TraceRun run = trace_workload("idle_waiter", {"--json", "--include-idle"}, /*with_pid=*/true);
  std::map<std::string, int> idle, busy;
  for (const auto& j : json_lines(run.out)) {
    ASSERT_GE(j["duration_ns"].get<uint64_t>(), 50000000u);
    (j["idle_wait"] == true ? idle : busy)[j["syscall"].get<std::string>()]++;
  }
  // 4 threads x 5 rounds of each; the child's 200 ms nanosleep is another
  // process, outside --pid.
  std::map<std::string, int> want{{"nanosleep", 20}, {"clock_nanosleep", 20}, {"epoll_wait", 20},
                                  {"futex", 20},     {"poll", 20}};
  EXPECT_EQ(idle, want) << run.out;
  EXPECT_EQ(busy, (std::map<std::string, int>{{"poll", 1}})) << run.out;
}

TEST_F(TraceSlowSyscallTest, RefusesToRunWithoutAThreshold) {
  Child kscope = Child::spawn({KSCOPE_BINARY, "trace"});
  std::string err = Child::read_all(kscope.err);
  int status = kscope.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
  EXPECT_NE(err.find("needs --min-latency"), std::string::npos) << err;
}

}  // namespace
