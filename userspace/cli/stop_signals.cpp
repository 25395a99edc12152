#include "cli/stop_signals.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "common/thread_name.h"

namespace kscope {
namespace {

StopSignals* g_instance = nullptr;
std::atomic<bool>* g_stop = nullptr;

// Only for a thread that did not block the signals (one started before
// install()): without it that thread would take the default action and end
// the process without writing anything.
void on_stray_signal(int) {
  if (g_stop != nullptr) g_stop->store(true);
}

}  // namespace

StopSignals& StopSignals::install() {
  if (g_instance != nullptr) return *g_instance;
  // Never destroyed: the watcher thread uses it until the process exits.
  g_instance = new StopSignals();
  g_stop = &g_instance->stop_;
  struct sigaction sa = {};
  sa.sa_handler = on_stray_signal;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([] {
    name_this_thread("kscope-signals");
    g_instance->watch();
  }).detach();
  return *g_instance;
}

void StopSignals::set_note(std::string note) {
  std::lock_guard lock(mu_);
  note_ = std::move(note);
}

void StopSignals::watch() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  bool noted = false;
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (!stop_.exchange(true)) continue;  // the first: stop recording
    if (noted) continue;
    noted = true;
    std::string note;
    {
      std::lock_guard lock(mu_);
      note = note_;
    }
    if (!note.empty()) std::fprintf(stderr, "kscope: %s\n", note.c_str());
  }
}

}  // namespace kscope
