#include "profiling/profile_api.h"

#include <atomic>
#include <cstdlib>

#include "profiling/profile_output.h"
#include "profiling/profile_session.h"
#include "symbolize/target_process.h"

namespace kscope {

// What the routes share: one recording at a time, and shutdown ending it.
struct ProfileRouteState {
  std::atomic<bool> busy{false};
  std::atomic<bool> stopping{false};
};

namespace {

constexpr int kMaxSeconds = 300;

// A whole number parameter in [lo, hi], or an error message.
Result<long> int_param(const HttpRequest& req, const std::string& name, long fallback, long lo, long hi) {
  if (!req.has_param(name)) return fallback;
  std::string v = req.param(name);
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi) {
    return Error(name + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return n;
}

HttpResponse serve_profile(const HttpRequest& req, Symbolizer& symbolizer, ProfileRouteState& state,
                           ProfileKind default_kind, const std::string& default_format, long default_seconds) {
  std::atomic<bool>& busy = state.busy;
  std::string type = req.param("type", default_kind == ProfileKind::kCpu ? "cpu" : "offcpu");
  if (type != "cpu" && type != "offcpu") return HttpResponse::json_error(400, "type must be cpu or offcpu");
  auto format = output_format_for_name(req.param("format", default_format));
  if (!format) return HttpResponse::json_error(400, format.error().to_string());
  auto seconds = int_param(req, "seconds", default_seconds, 1, kMaxSeconds);
  if (!seconds) return HttpResponse::json_error(400, seconds.error().message());
  auto pid = int_param(req, "pid", 0, 0, 1L << 22);
  if (!pid) return HttpResponse::json_error(400, pid.error().message());
  auto frequency = int_param(req, "frequency", 99, 1, 1000);
  if (!frequency) return HttpResponse::json_error(400, frequency.error().message());
  if (*pid != 0) {
    if (auto target = find_target_process("/proc", static_cast<pid_t>(*pid)); !target) {
      return HttpResponse::json_error(404, target.error().to_string());
    }
  }

  bool expected = false;
  if (!busy.compare_exchange_strong(expected, true)) {
    return HttpResponse::json_error(409, "a profile is already being recorded; try again when it is done");
  }
  ProfileRequest pr;
  pr.kind = type == "cpu" ? ProfileKind::kCpu : ProfileKind::kOffCpu;
  pr.duration = std::chrono::seconds(*seconds);
  pr.tgid = static_cast<uint32_t>(*pid);
  pr.frequency = static_cast<uint32_t>(*frequency);
  auto profile = record_profile(pr, symbolizer, &state.stopping);
  busy = false;
  if (!profile) return HttpResponse::json_error(503, profile.error().to_string());
  // Cut short by shutdown: not the N seconds asked for, so not a profile to
  // serve as one (a scraper would store it as if it were).
  if (state.stopping) return HttpResponse::json_error(503, "kscope is stopping; the recording was cut short");

  HttpResponse r;
  r.content_type = content_type(*format);
  std::string title = pr.kind == ProfileKind::kCpu ? "CPU Flame Graph" : "Off-CPU Flame Graph";
  // The dashboard passes the nonce its page's CSP allows (see web/assets.cpp).
  std::string nonce = req.param("nonce");
  r.body = collect_output([&](const Sink& out) { write_profile(*profile, *format, title, out, nonce); });
  if (*format == OutputFormat::kPprof) {
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"profile.pb.gz\"");
  }
  return r;
}

}  // namespace

ProfileApi::ProfileApi(std::shared_ptr<Symbolizer> symbolizer)
    : symbolizer_(std::move(symbolizer)), state_(std::make_shared<ProfileRouteState>()) {}

ProfileApi::~ProfileApi() = default;

void ProfileApi::stop() { state_->stopping = true; }

HttpResponse ProfileApi::profile_response(const HttpRequest& req) {
  return serve_profile(req, *symbolizer_, *state_, ProfileKind::kCpu, "svg", 10);
}

HttpResponse ProfileApi::pprof_response(const HttpRequest& req) {
  if (req.has_param("type") || req.has_param("format")) {
    return HttpResponse::json_error(400, "/debug/pprof/profile takes only seconds (CPU, pprof)");
  }
  return serve_profile(req, *symbolizer_, *state_, ProfileKind::kCpu, "pprof", 30);
}

}  // namespace kscope
