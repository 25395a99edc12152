#include "alerts/capture.h"
#include "common/thread_name.h"
#include "common/time_format.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "alerts/payloads.h"
#include "common/atomic_file.h"
#include "common/escape.h"

namespace kscope {

namespace fs = std::filesystem;

bool safe_file_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 200) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

namespace {

std::string id_part(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= 48) break;
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_';
  }
  return out;
}

std::string compact_time(WallTime t) { return format_time(t, "%Y%m%dT%H%M%SZ"); }

uint64_t folder_bytes(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

}  // namespace

CaptureManager::CaptureManager(CaptureConfig config, std::shared_ptr<ProfileCapturer> capturer, std::string url_base)
    : config_(std::move(config)), capturer_(std::move(capturer)), url_base_(std::move(url_base)) {
  load_existing();
}

CaptureManager::~CaptureManager() { stop(); }

void CaptureManager::stop() {
  if (!stopping_.exchange(true) && running()) spdlog::info("capture: stopping the running capture early");
  wait();
}

void CaptureManager::load_existing() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(config_.dir, ec)) {
    std::string id = e.path().filename().string();
    if (!e.is_directory(ec) || !safe_file_name(id)) continue;
    CaptureInfo info;
    info.id = id;
    info.status = "done";
    std::ifstream in(e.path() / "capture.json");
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object()) {
      info.rule = j.value("rule", "");
      info.status = j.value("status", "done");
      info.error = j.value("error", "");
      // A clean shutdown says "stopped"; "running" means kscope was killed
      // (or the host went down) mid-capture. Its files are whole, if any.
      if (info.status == "running") info.status = "failed", info.error = "kscope ended during the capture";
    }
    for (const auto& f : fs::directory_iterator(e.path(), ec)) {
      if (f.is_regular_file(ec) && f.path().filename() != "capture.json") info.files.push_back(f.path().filename());
    }
    std::sort(info.files.begin(), info.files.end());
    info.bytes = folder_bytes(e.path());
    captures_.push_back(info);
  }
  // Ids start with the UTC time, so name order is age order.
  std::sort(captures_.begin(), captures_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
}

std::optional<std::vector<std::pair<std::string, std::string>>> CaptureManager::start(const std::string& rule,
                                                                                      const CaptureTarget& target,
                                                                                      Nanos duration, WallTime now) {
  std::lock_guard lock(mu_);
  if (stopping_) {
    spdlog::info("capture for alert={} skipped: kscope is stopping", printable(rule));
    return std::nullopt;
  }
  if (running_) {
    ++counts_.busy;
    spdlog::info("capture for alert={} skipped: another capture is running", printable(rule));
    return std::nullopt;
  }
  if (thread_.joinable()) thread_.join();  // the previous one has finished
  CaptureInfo info;
  info.id = compact_time(now) + "-" + id_part(rule) + "-" + std::to_string(++seq_);
  info.rule = rule;
  info.target = target;
  info.duration = duration;
  info.started = now;
  info.status = "running";
  std::string dir = (fs::path(config_.dir) / info.id).string();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    ++counts_.failed;
    spdlog::error("capture for alert={}: cannot create {}: {}", printable(rule), dir, ec.message());
    return std::nullopt;
  }
  running_ = true;
  captures_.push_back(info);
  write_meta(info);
  const std::string base = url_base_ + "/" + info.id;
  thread_ = std::thread([this, info, dir] {
    name_this_thread("kscope-capture");
    run(info, dir);
  });
  return std::vector<std::pair<std::string, std::string>>{
      {"capture", base}, {"capture_cpu", base + "/" + kCaptureCpuFile}, {"capture_offcpu", base + "/" + kCaptureOffcpuFile}};
}

void CaptureManager::run(CaptureInfo info, std::string dir) {
  auto r = capturer_->capture(info.target, info.duration, dir, stopping_);
  info.status = !r ? "failed" : r->stopped_early ? "stopped" : "done";
  if (!r) {
    info.error = r.error().to_string();
    spdlog::warn("capture id={} failed: {}", info.id, info.error);
  } else if (r->stopped_early) {
    char covered[160];
    std::snprintf(covered, sizeof covered, "kscope stopped after %.1f s of the %.0f s capture; the files cover that part",
                  std::chrono::duration<double>(r->recorded).count(),
                  std::chrono::duration<double>(info.duration).count());
    info.error = covered;
    spdlog::info("capture id={} stopped early: {}", info.id, info.error);
  }
  std::error_code ec;
  info.files.clear();
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    if (f.is_regular_file(ec) && f.path().filename() != "capture.json") info.files.push_back(f.path().filename());
  }
  std::sort(info.files.begin(), info.files.end());
  info.bytes = folder_bytes(dir);
  write_meta(info);
  std::lock_guard lock(mu_);
  for (auto& c : captures_) {
    if (c.id == info.id) c = info;
  }
  if (r) ++counts_.done;
  else ++counts_.failed;
  prune(info.id);
  running_ = false;
}

void CaptureManager::prune(const std::string& keep_id) {
  uint64_t total = 0;
  for (const auto& c : captures_) total += c.bytes;
  while (!captures_.empty() && (captures_.size() > config_.max_count || total > config_.max_bytes)) {
    auto victim = std::find_if(captures_.begin(), captures_.end(),
                               [&](const CaptureInfo& c) { return c.id != keep_id && c.status != "running"; });
    if (victim == captures_.end()) break;
    std::error_code ec;
    fs::remove_all(fs::path(config_.dir) / victim->id, ec);
    if (ec) spdlog::warn("capture id={}: cannot remove: {}", victim->id, ec.message());
    total -= victim->bytes;
    captures_.erase(victim);
  }
}

void CaptureManager::write_meta(const CaptureInfo& info) const {
  nlohmann::json j = {{"id", info.id},
                      {"rule", info.rule},
                      {"target_label", info.target.label},
                      {"target", sanitize_utf8(info.target.value)},
                      {"duration_seconds", std::chrono::duration<double>(info.duration).count()},
                      {"started", rfc3339(info.started)},
                      {"status", info.status},
                      {"error", info.error},
                      {"files", info.files}};
  // Whole or absent: a reader (or the next start) never sees half of it.
  std::string path = (fs::path(config_.dir) / info.id / "capture.json").string();
  auto st = write_file_atomically(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!st) spdlog::warn("capture id={}: {}", info.id, st.error().to_string());
}

std::vector<CaptureInfo> CaptureManager::list() const {
  std::lock_guard lock(mu_);
  return {captures_.rbegin(), captures_.rend()};
}

std::optional<CaptureInfo> CaptureManager::find(const std::string& id) const {
  std::lock_guard lock(mu_);
  for (const auto& c : captures_) {
    if (c.id == id) return c;
  }
  return std::nullopt;
}

std::optional<std::string> CaptureManager::file_path(const std::string& id, const std::string& file) const {
  if (!safe_file_name(id) || !safe_file_name(file)) return std::nullopt;
  if (!find(id)) return std::nullopt;
  fs::path p = fs::path(config_.dir) / id / file;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return p.string();
}

CaptureCounts CaptureManager::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

bool CaptureManager::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

void CaptureManager::wait() {
  std::thread t;
  {
    std::lock_guard lock(mu_);
    t = std::move(thread_);
  }
  if (t.joinable()) t.join();
}

}  // namespace kscope
