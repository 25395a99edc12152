// Profile on alert: when a rule with `capture:` fires, record a CPU and an
// off-CPU flame graph of the offending target for that long, into a folder
// of its own under capture.dir, and link them from the alert. One capture
// runs at a time (a second request while one runs is refused and counted);
// the folder keeps at most max_count captures and max_bytes in total, the
// oldest removed first.
//
// Shutdown: stopping kscope (SIGTERM) ends a running capture at once; it
// writes the flame graphs of what it recorded so far and its capture.json
// says status "stopped" and for how long it ran. Every file appears whole
// or not at all (common/atomic_file.h), so even a SIGKILL leaves no partial
// flame graph; a capture.json still saying "running" (killed, power cut)
// reads as "failed" at the next start.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert.h"
#include "common/duration.h"
#include "common/result.h"
#include "config/alerts_config.h"

namespace kscope {

// Who to profile: a breakdown label and value (comm "nginx", cgroup
// "/system.slice/x.service"); an empty label means the whole host.
struct CaptureTarget {
  std::string label;
  std::string value;
};

struct CaptureResult {
  std::vector<std::string> files;  // names written into the capture folder
  // Ended before `duration` because stop became true; `recorded` says how
  // much the flame graphs cover then.
  bool stopped_early = false;
  Nanos recorded{0};
};

// The profiling engine, as the alerts module needs it. Implementations must
// write kCaptureCpuFile and kCaptureOffcpuFile (and may write more, e.g.
// .folded) into `dir`, which exists and is empty, and block for `duration`
// or until `stop` becomes true (kscope is shutting down: finish promptly,
// writing what was recorded). Called on the capture thread, one call at a
// time.
class ProfileCapturer {
 public:
  virtual ~ProfileCapturer() = default;
  virtual Result<CaptureResult> capture(const CaptureTarget& target, Nanos duration, const std::string& dir,
                                        const std::atomic<bool>& stop) = 0;
};

inline constexpr const char* kCaptureCpuFile = "cpu.svg";
inline constexpr const char* kCaptureOffcpuFile = "offcpu.svg";

// Stands in until a profiling engine is plugged in: every capture fails
// with a message that says so.
class UnavailableCapturer final : public ProfileCapturer {
 public:
  Result<CaptureResult> capture(const CaptureTarget&, Nanos, const std::string&, const std::atomic<bool>&) override {
    return Error("no profiling engine is plugged into the alert capture");
  }
};

struct CaptureInfo {
  std::string id;  // folder name: <UTC time>-<rule>-<n>, [A-Za-z0-9_-] only
  std::string rule;
  CaptureTarget target;
  Nanos duration{};
  WallTime started{};
  std::string status;  // running | done | stopped (by shutdown, partial) | failed
  std::string error;   // why failed, or how much a stopped capture covers
  std::vector<std::string> files;
  uint64_t bytes = 0;
};

struct CaptureCounts {
  uint64_t done = 0, failed = 0, busy = 0;
};

class CaptureManager {
 public:
  // url_base: the absolute URL captures are served under, e.g.
  // "http://127.0.0.1:9494/api/v1/captures".
  CaptureManager(CaptureConfig config, std::shared_ptr<ProfileCapturer> capturer, std::string url_base);
  ~CaptureManager();  // stop()

  // Starts a capture unless one runs (or stop() was called). Returns the
  // annotations linking to it (capture, capture_cpu, capture_offcpu), or
  // nullopt when busy.
  std::optional<std::vector<std::pair<std::string, std::string>>> start(const std::string& rule,
                                                                        const CaptureTarget& target, Nanos duration,
                                                                        WallTime now);

  std::vector<CaptureInfo> list() const;  // newest first
  std::optional<CaptureInfo> find(const std::string& id) const;
  // The path of a file of a capture; nullopt for unknown ids or names that
  // are not plain file names.
  std::optional<std::string> file_path(const std::string& id, const std::string& file) const;
  CaptureCounts counts() const;
  bool running() const;
  // Blocks until no capture runs (tests).
  void wait();
  // Ends a running capture early, keeping what it recorded (status
  // "stopped"), and waits for it to be written; refuses new ones from now
  // on. For shutdown: a capture can be minutes long.
  void stop();

 private:
  void run(CaptureInfo info, std::string dir);
  void prune(const std::string& keep_id);
  void write_meta(const CaptureInfo& info) const;
  void load_existing();

  CaptureConfig config_;
  std::shared_ptr<ProfileCapturer> capturer_;
  std::string url_base_;
  mutable std::mutex mu_;
  std::vector<CaptureInfo> captures_;  // oldest first
  CaptureCounts counts_;
  bool running_ = false;
  uint64_t seq_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// True for names made only of [A-Za-z0-9._-] that are not "." or "..".
bool safe_file_name(const std::string& name);

}  // namespace kscope
