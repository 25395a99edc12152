#include "host/statvfs_worker.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <set>
#include <system_error>

#include "common/capabilities.h"
#include "common/thread_name.h"

namespace kscope::host {

int real_statvfs(const std::string& path, struct statvfs& out) {
  return ::statvfs(path.c_str(), &out) == 0 ? 0 : errno;
}

struct StatvfsWorker::State {
  std::mutex mu;
  std::condition_variable work;  // a batch, or stop, for the live worker
  std::condition_variable done;  // every call of the batch returned
  StatvfsFn fn;
  std::vector<std::string> paths;  // the batch
  std::vector<StatvfsOutcome> results;
  size_t next = 0;      // the next call to make
  size_t finished = 0;  // calls returned; next > finished while one is in flight
  uint64_t live = 0;    // the worker serving batches; any other was abandoned to a hung call
  bool stop = false;
  std::set<std::string> stuck;         // mount points with a call past its deadline
  std::vector<std::string> recovered;  // stuck calls that returned since the last batch
  uint64_t stuck_total = 0;
};

StatvfsWorker::StatvfsWorker(StatvfsOptions options)
    : options_(std::move(options)), state_(std::make_shared<State>()) {
  state_->fn = options_.statvfs;
}

StatvfsWorker::~StatvfsWorker() {
  {
    std::lock_guard lk(state_->mu);
    state_->stop = true;
  }
  state_->work.notify_all();
  // The live worker is idle here (a batch ends before stat_all returns, and
  // one caller means none runs now); abandoned ones stay detached.
  if (worker_.joinable()) worker_.join();
}

std::vector<StatvfsOutcome> StatvfsWorker::stat_all(const std::vector<std::string>& paths) {
  const auto deadline = std::chrono::steady_clock::now() + options_.deadline;
  std::vector<StatvfsOutcome> out(paths.size());
  std::vector<size_t> asked;  // index in `paths` of each call in the batch
  std::string hung;
  std::vector<std::string> recovered;
  State& s = *state_;
  {
    std::unique_lock lk(s.mu);
    recovered.swap(s.recovered);
    std::vector<std::string> batch;
    for (size_t i = 0; i < paths.size(); ++i) {
      if (s.stuck.count(paths[i])) {
        out[i].kind = StatvfsOutcome::kStuck;
      } else if (s.stuck.size() < options_.max_stuck) {
        asked.push_back(i);
        batch.push_back(paths[i]);
      }  // else kNotReached: no more threads are risked on hung calls
    }
    if (!batch.empty() && !worker_.joinable()) {
      try {
        worker_ = std::thread(serve, state_, s.live);
      } catch (const std::system_error& e) {
        spdlog::warn("filesystems: cannot start the statvfs thread: {}", e.what());
        batch.clear();
      }
    }
    if (!batch.empty()) {
      s.paths = std::move(batch);
      s.results.assign(s.paths.size(), StatvfsOutcome{});
      s.next = s.finished = 0;
      s.work.notify_one();
      bool all = s.done.wait_until(lk, deadline, [&] { return s.finished == s.paths.size(); });
      if (!all && s.next > s.finished) {
        // The call in flight missed the deadline: its mount is stuck and its
        // thread stays with it; the calls after it were not made.
        const size_t i = s.next - 1;
        hung = s.paths[i];
        s.stuck.insert(hung);
        ++s.stuck_total;
        s.results[i].kind = StatvfsOutcome::kStuck;
        s.live++;
        worker_.detach();
        try {
          worker_ = std::thread(serve, state_, s.live);
        } catch (const std::system_error& e) {
          spdlog::warn("filesystems: cannot start another statvfs thread: {}", e.what());
        }
      }
      for (size_t k = 0; k < asked.size(); ++k) out[asked[k]] = s.results[k];
      // Whatever was not called stays so: the worker waits for the next batch.
      s.paths.clear();
      s.results.clear();
      s.next = s.finished = 0;
    }
  }
  for (const auto& m : recovered) spdlog::info("filesystems: statvfs returned, no longer stuck mountpoint={}", m);
  if (!hung.empty()) {
    spdlog::warn("filesystems: statvfs did not return within {} ms, marked stuck and not called again until it "
                 "returns mountpoint={}",
                 options_.deadline.count(), hung);
  }
  return out;
}

size_t StatvfsWorker::stuck() const {
  std::lock_guard lk(state_->mu);
  return state_->stuck.size();
}

uint64_t StatvfsWorker::stuck_total() const {
  std::lock_guard lk(state_->mu);
  return state_->stuck_total;
}

void StatvfsWorker::serve(std::shared_ptr<State> s, uint64_t id) {
  name_this_thread("kscope-statvfs");
  // This thread may hang in statvfs when the agent drops its capabilities by
  // signalling every thread (common/capabilities.h), and its signal handler
  // cannot run inside the call: it makes the same drop to itself now, so it
  // holds nothing that drop would have to remove. (It keeps what the agent
  // keeps, CAP_DAC_READ_SEARCH among them: statvfs reaches mount points
  // below other users' private folders with it.)
  (void)drop_this_thread_capabilities(agent_kept_capabilities());
  std::unique_lock lk(s->mu);
  for (;;) {
    s->work.wait(lk, [&] { return s->stop || s->live != id || s->next < s->paths.size(); });
    if (s->stop || s->live != id) return;
    const size_t i = s->next++;
    std::string path = s->paths[i];
    lk.unlock();
    StatvfsOutcome r;
    r.error = s->fn(path, r.st);
    r.kind = r.error == 0 ? StatvfsOutcome::kOk : StatvfsOutcome::kError;
    lk.lock();
    if (s->live != id) {  // abandoned during the call: it was the stuck one
      s->stuck.erase(path);
      s->recovered.push_back(std::move(path));
      return;
    }
    s->results[i] = r;
    if (++s->finished == s->paths.size()) s->done.notify_one();
  }
}

}  // namespace kscope::host
