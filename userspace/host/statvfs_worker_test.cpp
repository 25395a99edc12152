#include "host/statvfs_worker.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>

namespace kscope::host {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A statvfs whose calls on paths starting with "/hung" block until the gate
// opens, as statvfs on a FUSE mount whose daemon is stopped does; the other
// paths get the real call. Shared, so a detached worker may outlive a test's
// scope and still find it.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  std::map<std::string, int> calls;
  int hung_returned = 0;

  void release() {
    std::lock_guard lk(mu);
    open = true;
    cv.notify_all();
  }
  int count(const std::string& p) {
    std::lock_guard lk(mu);
    return calls[p];
  }
  // Until `n` hung calls returned, at most 5 s.
  bool wait_returned(int n) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, 5s, [&] { return hung_returned >= n; });
  }
};

StatvfsOptions gated(const std::shared_ptr<Gate>& gate, std::chrono::milliseconds deadline, size_t max_stuck = 32) {
  StatvfsOptions o;
  o.deadline = deadline;
  o.max_stuck = max_stuck;
  o.statvfs = [gate](const std::string& path, struct statvfs& st) {
    {
      std::unique_lock lk(gate->mu);
      ++gate->calls[path];
      if (path.starts_with("/hung")) {
        gate->cv.wait(lk, [&] { return gate->open; });
        ++gate->hung_returned;
        gate->cv.notify_all();
        return real_statvfs("/", st);
      }
    }
    return real_statvfs(path, st);
  };
  return o;
}

// Until the worker's stuck count is `n`, at most 5 s.
bool wait_stuck(const StatvfsWorker& w, size_t n) {
  for (auto end = Clock::now() + 5s; Clock::now() < end; std::this_thread::sleep_for(5ms)) {
    if (w.stuck() == n) return true;
  }
  return w.stuck() == n;
}

size_t threads_of_this_process() {
  size_t n = 0;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

// The count once threads of earlier tests have finished exiting.
size_t settled_threads() {
  size_t n = threads_of_this_process();
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(20ms);
    size_t again = threads_of_this_process();
    if (again == n) break;
    n = again;
  }
  return n;
}

TEST(StatvfsWorker, RealCallsReturnTheirFigures) {
  StatvfsWorker w;
  auto out = w.stat_all({"/", "/no/such/mount/point"});
  ASSERT_EQ(out.size(), 2u);
  struct statvfs root{};
  ASSERT_EQ(::statvfs("/", &root), 0);
  EXPECT_EQ(out[0].kind, StatvfsOutcome::kOk);
  EXPECT_EQ(out[0].st.f_blocks, root.f_blocks);
  EXPECT_EQ(out[0].st.f_frsize, root.f_frsize);
  EXPECT_EQ(out[1].kind, StatvfsOutcome::kError);
  EXPECT_EQ(out[1].error, ENOENT);
  EXPECT_EQ(w.stuck(), 0u);
  EXPECT_EQ(w.stuck_total(), 0u);
}

// The collector's view of a hung mount: the first interval waits the
// deadline and no longer, marks the mount stuck and leaves out those after
// it; later intervals skip it without waiting and without calling it again;
// once its call returns it is called again and has figures.
TEST(StatvfsWorker, AHungMountIsStuckUntilItsCallReturns) {
  auto gate = std::make_shared<Gate>();
  StatvfsWorker w(gated(gate, 400ms));
  const std::vector<std::string> paths = {"/", "/hung", "/tmp"};

  auto t0 = Clock::now();
  auto first = w.stat_all(paths);
  auto took = Clock::now() - t0;
  EXPECT_GE(took, 400ms);
  EXPECT_LT(took, 1400ms);
  EXPECT_EQ(first[0].kind, StatvfsOutcome::kOk);
  EXPECT_EQ(first[1].kind, StatvfsOutcome::kStuck);
  EXPECT_EQ(first[2].kind, StatvfsOutcome::kNotReached);
  EXPECT_EQ(gate->count("/tmp"), 0);
  EXPECT_EQ(w.stuck(), 1u);
  EXPECT_EQ(w.stuck_total(), 1u);

  for (int i = 0; i < 3; ++i) {
    t0 = Clock::now();
    auto next = w.stat_all(paths);
    EXPECT_LT(Clock::now() - t0, 300ms) << "waited for a mount already known to be stuck";
    EXPECT_EQ(next[0].kind, StatvfsOutcome::kOk);
    EXPECT_EQ(next[1].kind, StatvfsOutcome::kStuck);
    EXPECT_EQ(next[2].kind, StatvfsOutcome::kOk);
  }
  EXPECT_EQ(gate->count("/hung"), 1) << "a stuck mount was called again before its call returned";

  gate->release();
  ASSERT_TRUE(gate->wait_returned(1));
  ASSERT_TRUE(wait_stuck(w, 0));
  auto after = w.stat_all(paths);
  EXPECT_EQ(after[1].kind, StatvfsOutcome::kOk);
  EXPECT_GT(after[1].st.f_blocks, 0u);
  EXPECT_EQ(gate->count("/hung"), 2);
  EXPECT_EQ(w.stuck_total(), 1u);
}

// One thread per hung mount and no more: past max_stuck nothing is called,
// so no further thread can hang; the count of threads stays put.
TEST(StatvfsWorker, HungThreadsAreBoundedAndDoNotPileUp) {
  auto gate = std::make_shared<Gate>();
  {
    StatvfsWorker w(gated(gate, 200ms, 2));
    const std::vector<std::string> paths = {"/hung1", "/hung2", "/hung3", "/"};
    w.stat_all(paths);  // hung1 stuck
    w.stat_all(paths);  // hung2 stuck
    EXPECT_EQ(w.stuck(), 2u);
    const size_t threads = threads_of_this_process();
    for (int i = 0; i < 3; ++i) {
      auto out = w.stat_all(paths);
      EXPECT_EQ(out[0].kind, StatvfsOutcome::kStuck);
      EXPECT_EQ(out[1].kind, StatvfsOutcome::kStuck);
      EXPECT_EQ(out[2].kind, StatvfsOutcome::kNotReached);
      EXPECT_EQ(out[3].kind, StatvfsOutcome::kNotReached);
    }
    EXPECT_EQ(gate->count("/hung3"), 0);
    EXPECT_EQ(gate->count("/hung1"), 1);
    EXPECT_EQ(threads_of_this_process(), threads);
    EXPECT_EQ(w.stuck_total(), 2u);

    gate->release();
    ASSERT_TRUE(gate->wait_returned(2));
    ASSERT_TRUE(wait_stuck(w, 0));
    auto out = w.stat_all(paths);
    for (const auto& o : out) EXPECT_EQ(o.kind, StatvfsOutcome::kOk);
  }
}

// Destroying the worker (kscope's exit) does not wait for a call that may
// never return; the abandoned thread ends on its own when it does.
TEST(StatvfsWorker, DestructionDoesNotWaitForAHungCall) {
  auto gate = std::make_shared<Gate>();
  const size_t before = settled_threads();
  auto w = std::make_unique<StatvfsWorker>(gated(gate, 100ms));
  auto out = w->stat_all({"/hung"});
  EXPECT_EQ(out[0].kind, StatvfsOutcome::kStuck);
  EXPECT_EQ(threads_of_this_process(), before + 2);  // the hung one and the idle live one
  auto t0 = Clock::now();
  w.reset();
  EXPECT_LT(Clock::now() - t0, 500ms);
  EXPECT_EQ(threads_of_this_process(), before + 1);  // the live one joined, the hung one left
  gate->release();
  ASSERT_TRUE(gate->wait_returned(1));
  for (auto end = Clock::now() + 5s; threads_of_this_process() > before && Clock::now() < end;) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(threads_of_this_process(), before) << "the abandoned thread did not end when its call returned";
}

}  // namespace
}  // namespace kscope::host
