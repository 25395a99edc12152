// The exits probe against real deaths: a process allocating past its memory
// cgroup's limit is OOM-killed and counted once with its name and cgroup;
// processes dying of SIGSEGV (also from a second thread) and SIGABRT are
// counted with their signal, and exits with a status are not counted.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "bpf_test_support.h"
#include "model/target_labels.h"
#include "events/event.h"
#include "events/event_reader.h"
#include "probes/exits_probe.h"
#include "probes/kernel_names.h"
#include "sched_workload.h"

namespace kscope::testing {
namespace {

class ExitsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KSCOPE_REQUIRE_BPF();
    config_ = quiet_config();
    config_.probes.exits.enabled = true;
    probe_ = make_exits_probe();
    auto st = probe_->start(config_);
    ASSERT_TRUE(st) << st.error().to_string();
    auto reader = EventReader::create({*probe_->event_source()}, [this](EventPtr e) {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(e));
    });
    ASSERT_TRUE(reader) << reader.error().to_string();
    reader_ = std::move(*reader);
    reader_->start(std::chrono::milliseconds(20));
  }

  void TearDown() override {
    if (reader_) reader_->stop();
  }

  std::vector<Family> collect() {
    std::vector<Family> out;
    CollectContext ctx{config_, out};
    probe_->collect(ctx);
    return out;
  }

  // The value of the series with these labels, 0 when there is none.
  double count(const std::string& family, const Labels& want) {
    const auto families = collect();  // find_series points into it
    const Series* s = find_series(families, family, want);
    return s ? s->value : 0;
  }

  // The exit events of this process name, after giving the reader time.
  std::vector<ExitEvent> events_of(const std::string& comm, size_t want) {
    std::vector<ExitEvent> out;
    for (int i = 0; i < 100; ++i) {
      out.clear();
      {
        std::lock_guard lock(mu_);
        for (const auto& e : events_) {
          if (const auto* x = std::get_if<ExitEvent>(&e->body); x && x->comm == comm) out.push_back(*x);
        }
      }
      if (out.size() >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return out;
  }

  Config config_;
  std::unique_ptr<Probe> probe_;
  std::unique_ptr<EventReader> reader_;
  std::mutex mu_;
  std::vector<EventPtr> events_;
};

// Runs argv in a child that first joins the cgroup whose cgroup.procs is
// given (if any); returns the wait status.
int run_in(const std::vector<std::string>& argv, const std::string& procs = "") {
  pid_t pid = fork();
  if (pid == 0) {
    if (!procs.empty()) {
      int fd = open(procs.c_str(), O_WRONLY);
      if (fd < 0 || write(fd, "0", 1) != 1) _exit(126);
      close(fd);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

// A memory cgroup limited to `limit` bytes, removed at the end: cgroup v1's
// memory hierarchy on hybrid hosts (memory.limit_in_bytes), else cgroup v2
// (memory.max, where the memory controller is enabled).
class MemoryCgroup {
 public:
  MemoryCgroup(const std::string& name, uint64_t limit) {
    const std::string root = CgroupPaths::memory_mount();
    const bool v1 = access((root + "/memory.limit_in_bytes").c_str(), F_OK) == 0;
    const std::string file = v1 ? "memory.limit_in_bytes" : "memory.max";
    dir_ = root + "/" + name;
    rel_ = "/" + name;
    if (mkdir(dir_.c_str(), 0755) != 0) {
      why_ = "mkdir " + dir_ + ": " + strerror(errno);
      return;
    }
    std::ofstream(dir_ + "/" + file) << limit;
    std::ifstream in(dir_ + "/" + file);
    uint64_t got = 0;
    if (!(in >> got) || got != limit) why_ = "could not set " + dir_ + "/" + file;
  }
  ~MemoryCgroup() {
    // The OOM-killed child is reaped; the cgroup is empty.
    for (int i = 0; i < 50 && rmdir(dir_.c_str()) != 0 && errno == EBUSY; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }
  std::string procs() const { return dir_ + "/cgroup.procs"; }
  const std::string& path() const { return rel_; }  // as kscope names it

 private:
  std::string dir_, rel_, why_;
};

TEST_F(ExitsProbeTest, OomKillInAMemoryCgroupIsCountedOnceWithNameAndCgroup) {
  const std::string comm = unique_comm("oom");
  constexpr uint64_t kLimit = 8ull << 20;
  MemoryCgroup cg("kscope-oom-test-" + std::to_string(getpid()), kLimit);
  if (!cg.ok()) GTEST_SKIP() << "no memory cgroup to limit: " << cg.why();

  int status = run_in({workload_path("mem_hog"), comm, "64"}, cg.procs());
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "mem_hog was not OOM-killed in an 8 MiB cgroup (status " << status << ")";

  auto events = events_of(comm, 2);
  EXPECT_EQ(count("kscope_oom_kills_total", {{"comm", comm}, {"cgroup", cg.path()}}), 1);
  EXPECT_EQ(count("kscope_oom_kills_total", {{"comm", comm}}), 1);  // no second series elsewhere
  // The OOM killer's SIGKILL also ends the process by a signal.
  EXPECT_EQ(count("kscope_process_signal_exits_total", {{"signal", "SIGKILL"}, {"comm", comm}}), 1);

  ASSERT_EQ(events.size(), 2u);
  const ExitEvent& oom = events[0];
  EXPECT_EQ(oom.kind, ExitEventKind::kOomKill);
  EXPECT_EQ(oom.cgroup, cg.path());
  EXPECT_EQ(oom.signal, uint32_t(SIGKILL));
  EXPECT_EQ(oom.cgroup_limit_bytes, kLimit);
  // At the limit when chosen: its touched memory is most of the cgroup's.
  EXPECT_GE(oom.cgroup_usage_bytes, kLimit * 3 / 4);
  EXPECT_LE(oom.cgroup_usage_bytes, kLimit);
  EXPECT_GE(oom.anon_rss_bytes, 4ull << 20);
  EXPECT_LE(oom.anon_rss_bytes, kLimit);
  EXPECT_GT(oom.total_vm_bytes, oom.anon_rss_bytes);
  const ExitEvent& exit = events[1];
  EXPECT_EQ(exit.kind, ExitEventKind::kSignal);
  EXPECT_EQ(exit.signal, uint32_t(SIGKILL));
  EXPECT_TRUE(exit.oom_victim);
  EXPECT_EQ(exit.pid, oom.pid);
}

TEST_F(ExitsProbeTest, FatalSignalsAreCountedWithTheirSignalAndStatusExitsAreNot) {
  const std::string segv = unique_comm("sv"), abrt = unique_comm("ab"), threaded = unique_comm("th"),
                    ok = unique_comm("e0"), fail = unique_comm("e1");
  const std::string crasher = workload_path("crasher");
  int st = run_in({crasher, segv, "segv"});
  ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV) << st;
  st = run_in({crasher, abrt, "abort"});
  ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT) << st;
  st = run_in({crasher, threaded, "thread_segv"});
  ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV) << st;
  st = run_in({crasher, ok, "exit0"});
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  st = run_in({crasher, fail, "exit1"});
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) << st;
  ASSERT_EQ(events_of(threaded, 1).size(), 1u);

  const std::string f = "kscope_process_signal_exits_total";
  EXPECT_EQ(count(f, {{"signal", "SIGSEGV"}, {"comm", segv}}), 1);
  EXPECT_EQ(count(f, {{"signal", "SIGABRT"}, {"comm", abrt}}), 1);
  // Two threads, one process: seen once, by whichever thread died last.
  EXPECT_EQ(count(f, {{"signal", "SIGSEGV"}, {"comm", threaded}}), 1);
  EXPECT_EQ(count(f, {{"comm", ok}}), 0);
  EXPECT_EQ(count(f, {{"comm", fail}}), 0);
  EXPECT_EQ(count("kscope_oom_kills_total", {{"comm", segv}}), 0);

  auto ev = events_of(segv, 1);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(signal_name(ev[0].signal), "SIGSEGV");
  EXPECT_EQ(ev[0].exit_code & 0x7f, SIGSEGV);
  EXPECT_FALSE(ev[0].core_dumped);  // the workload turned core dumps off
  EXPECT_FALSE(ev[0].oom_victim);
  EXPECT_FALSE(ev[0].cgroup.empty());
  EXPECT_EQ(events_of(abrt, 1).size(), 1u);
  EXPECT_TRUE(events_of(ok, 1).empty());
  EXPECT_TRUE(events_of(fail, 1).empty());
  EXPECT_EQ(probe_->events_lost(), 0u);
}

}  // namespace
}  // namespace kscope::testing
