#include "symbolize/target_process.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "symbolize/test_support.h"

namespace kscope {
namespace {

constexpr const char* kStat = "4242 (a b) S 1 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0";

TEST(TargetProcess, ParsesStatus) {
  auto st = parse_process_status("Name:\tnginx\nState:\tS (sleeping)\nTgid:\t4242\nPid:\t4243\nThreads:\t3\n");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->tgid, 4242);
  EXPECT_EQ(st->threads, 3u);
  EXPECT_FALSE(has_exited(*st));
  EXPECT_FALSE(parse_process_status("Name:\tx\nState:\tS (sleeping)\n"));  // no Tgid
  EXPECT_FALSE(parse_process_status("State:\tS\nTgid:\tx12\n"));
}

TEST(TargetProcess, ALeaderThatLeftWhileThreadsRunHasNotExited) {
  EXPECT_TRUE(has_exited({'Z', 7, 1}));
  EXPECT_FALSE(has_exited({'Z', 7, 4}));
}

TEST(TargetProcess, SaysWhatIsWrongWithThePid) {
  testing::TempDir proc;
  auto none = find_target_process(proc.path(), 4242);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "no process with pid 4242");

  proc.write("4242/stat", kStat);
  proc.write("4242/status", "State:\tS (sleeping)\nTgid:\t4200\nThreads:\t9\n");
  auto thread = find_target_process(proc.path(), 4242);
  ASSERT_FALSE(thread);
  EXPECT_EQ(thread.error().message(), "pid 4242 is a thread of process 4200");
  EXPECT_NE(thread.error().hint().find("--pid 4200"), std::string::npos);

  proc.write("4242/status", "State:\tZ (zombie)\nTgid:\t4242\nThreads:\t1\n");
  EXPECT_FALSE(find_target_process(proc.path(), 4242));

  proc.write("4242/status", "State:\tS (sleeping)\nTgid:\t4242\nThreads:\t1\n");
  auto live = find_target_process(proc.path(), 4242);
  ASSERT_TRUE(live) << live.error().to_string();
  EXPECT_EQ(live->start_time, 555u);
  EXPECT_TRUE(target_running(proc.path(), *live));
  // The same pid, reused by a later process.
  proc.write("4242/stat", "4242 (a b) S 1 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 999 0");
  EXPECT_FALSE(target_running(proc.path(), *live));
}

// The real kernel's view: this process, one of its threads, a child that
// exited but was not reaped (a zombie), and one that was.
TEST(TargetProcess, OnTheRealProc) {
  auto self = find_target_process("/proc", getpid());
  ASSERT_TRUE(self) << self.error().to_string();
  EXPECT_TRUE(target_running("/proc", *self));

  std::atomic<pid_t> tid{0};
  std::atomic<bool> done{false};
  std::thread t([&] {
    tid = static_cast<pid_t>(syscall(SYS_gettid));
    while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  while (tid == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto thread = find_target_process("/proc", tid);
  done = true;
  t.join();
  ASSERT_FALSE(thread);
  EXPECT_EQ(thread.error().message(), "pid " + std::to_string(tid) + " is a thread of process " +
                                          std::to_string(getpid()));

  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  auto before = find_target_process("/proc", child);
  // Wait until it is a zombie (it may not have run yet).
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
  auto zombie = find_target_process("/proc", child);
  ASSERT_FALSE(zombie);
  EXPECT_NE(zombie.error().message().find("has exited"), std::string::npos) << zombie.error().message();
  if (before) {
    EXPECT_FALSE(target_running("/proc", *before));
  }
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  auto reaped = find_target_process("/proc", child);
  ASSERT_FALSE(reaped);
  EXPECT_EQ(reaped.error().message(), "no process with pid " + std::to_string(child));
}

}  // namespace
}  // namespace kscope
