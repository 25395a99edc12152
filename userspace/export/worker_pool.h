// A fixed set of threads running queued jobs, with a bounded queue: the HTTP
// server runs route handlers here so the IO thread never waits on one.
//
// The server keeps two pools (export/http_server.cpp): one for the API's
// quick handlers and one for handlers that block by design (a profile
// recorded for N seconds). A blocking handler can thus only ever hold the
// second pool's threads, and the quick pool keeps answering everyone else.
// A full queue refuses the job at once (submit() is false and the caller
// answers 503) instead of growing without bound.
//
// Thread-safe. The destructor (or stop()) drops the queued jobs and waits for
// the running ones.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kscope {

class WorkerPool {
 public:
  // thread_name: the threads' comm (at most 15 characters).
  WorkerPool(std::string thread_name, size_t threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues job; false when max_queued jobs are already waiting or the pool
  // is stopping (the job is not run).
  bool submit(std::function<void()> job);

  // Refuses new jobs, drops the queued ones (destroyed on this thread) and
  // joins the threads once their running jobs return.
  void stop();

  size_t threads() const { return threads_.size(); }

 private:
  void run();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace kscope
