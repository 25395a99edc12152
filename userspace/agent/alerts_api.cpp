#include "agent/alerts_api.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "alerts/alert_json.h"
#include "alerts/payloads.h"
#include "alerts/silence.h"
#include "api/capture_answer.h"
#include "common/escape.h"

namespace kscope {
namespace {

std::string dump(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

const char* content_type_of(const std::string& file) {
  if (file.ends_with(".svg")) return "image/svg+xml";
  if (file.ends_with(".html")) return "text/html; charset=utf-8";
  if (file.ends_with(".json")) return "application/json";
  if (file.ends_with(".folded") || file.ends_with(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

HttpResponse AlertsApi::signals_response(const HttpRequest& req) const {
  auto sig = alerts_.signals().latest();
  if (req.has_param("target")) {
    const std::string name = req.param("target");
    const bool kernel = req.param("kernel") == "true";  // the kernel thread of that name
    const SignalSet* set = sig->target(name, kernel);
    if (set == nullptr) return HttpResponse::json_error(404, "no signals for target " + sanitize_utf8(name));
    Signals one = *sig;
    one.targets.clear();
    one.targets.push_back({name, *set, kernel});
    return HttpResponse::json(to_json(one) + "\n");
  }
  std::shared_ptr<const std::string> body;
  {
    std::lock_guard lock(signals_body_mu_);
    if (signals_body_for_ == sig) body = signals_body_;
  }
  if (!body) {
    // Written outside the lock; two requests racing on a new set both write
    // it, the same bytes.
    body = std::make_shared<const std::string>(to_json(*sig) + "\n");
    std::lock_guard lock(signals_body_mu_);
    signals_body_for_ = sig;
    signals_body_ = body;
  }
  return HttpResponse::json(*body);
}

void AlertsApi::add_policy_status(nlohmann::json& j, const Alert& a) const {
  AlertPolicyStatus st = alerts_.policy().status(a, std::chrono::system_clock::now());
  j["id"] = a.fingerprint != 0 ? nlohmann::json(fmt_fingerprint(a.fingerprint)) : nlohmann::json(nullptr);
  j["silenced"] = !st.silenced_by.empty();
  j["silencedBy"] = st.silenced_by;
  j["flapping"] = st.flapping;
  j["escalated"] = st.escalated;
  j["ack"] = st.ack ? nlohmann::json{{"by", sanitize_utf8(st.ack->by)},
                                     {"comment", sanitize_utf8(st.ack->comment)},
                                     {"at", rfc3339(st.ack->at)}}
                    : nlohmann::json(nullptr);
}

HttpResponse AlertsApi::alerts_response(const HttpRequest& req) const {
  const std::string rule_filter = req.param("rule");
  const std::string state_filter = req.param("state");
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& a : alerts_.engine().alerts()) {
    if (!rule_filter.empty() && a.rule != rule_filter) continue;
    if (!state_filter.empty() && alert_state_name(a.state) != state_filter) continue;
    nlohmann::json j = alert_json(a);
    add_policy_status(j, a);
    alerts.push_back(std::move(j));
  }
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : alerts_.rules()) {
    rules.push_back({{"name", r.name}, {"kind", to_string(r.kind())}, {"severity", to_string(r.severity)},
                     {"scope", to_string(r.scope)},
                     {"target", r.target.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.target)}});
  }
  bool all_up = true;
  return HttpResponse::json(dump({{"alerts", alerts}, {"rules", rules}, {"sinks", alerts_.sinks_health(all_up)}}));
}

HttpResponse AlertsApi::silences_response(const HttpRequest& req) {
  const auto now = std::chrono::system_clock::now();
  std::string id = req.path.substr(std::min(req.path.size(), std::string("/api/v1/silences").size()));
  while (!id.empty() && id.front() == '/') id.erase(0, 1);
  if (id.empty()) {
    if (req.method == "GET" || req.method == "HEAD") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& sil : alerts_.policy().silences()) arr.push_back(silence_json(sil, now));
      return HttpResponse::json(dump(arr));
    }
    if (req.method != "POST") return HttpResponse::json_error(405, "use GET or POST on /api/v1/silences");
    if (req.body.size() > 64 * 1024) return HttpResponse::json_error(413, "a silence is at most 64 KiB of JSON");
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return HttpResponse::json_error(400, "the body is not JSON");
    auto parsed = parse_silence(body, now);
    if (!parsed) return HttpResponse::json_error(400, "invalid silence: " + parsed.error().message());
    auto added = alerts_.policy().add_silence(std::move(*parsed), now);
    if (!added) return HttpResponse::json_error(404, added.error().message());
    spdlog::info("silence id={} created_by={} until={}", added->id, printable(added->created_by), rfc3339(added->ends_at));
    nlohmann::json out = silence_json(*added, now);
    out["silenceID"] = added->id;  // what Alertmanager's POST answers
    alerts_.save_state();
    return HttpResponse::json(dump(out));
  }
  auto sil = alerts_.policy().silence(id);
  if (!sil) return HttpResponse::json_error(404, "no silence " + sanitize_utf8(id));
  if (req.method == "GET" || req.method == "HEAD") return HttpResponse::json(dump(silence_json(*sil, now)));
  if (req.method != "DELETE") return HttpResponse::json_error(405, "use GET or DELETE on /api/v1/silences/ID");
  alerts_.policy().expire_silence(id, now);
  spdlog::info("silence id={} expired by request", id);
  alerts_.save_state();
  return HttpResponse::json(dump(silence_json(*alerts_.policy().silence(id), now)));
}

HttpResponse AlertsApi::alert_action_response(const HttpRequest& req) {
  std::string rest = req.path.substr(std::min(req.path.size(), std::string("/api/v1/alerts/").size()));
  auto slash = rest.find('/');
  std::string id = rest.substr(0, slash);
  std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (action != "ack") return HttpResponse::json_error(404, "no such alert action; POST /api/v1/alerts/ID/ack");
  if (req.method != "POST") return HttpResponse::json_error(405, "use POST to acknowledge an alert");
  uint64_t fp = 0;
  if (id.size() != 16 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return HttpResponse::json_error(404, "no alert " + sanitize_utf8(id) + " (ids are 16 hex digits, see /api/v1/alerts)");
  }
  fp = std::stoull(id, nullptr, 16);
  Ack a;
  a.at = std::chrono::system_clock::now();
  if (!req.body.empty()) {
    if (req.body.size() > 16 * 1024) return HttpResponse::json_error(413, "an acknowledgement is at most 16 KiB");
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return HttpResponse::json_error(400, "the body must be a JSON object {by, comment}");
    for (auto [key, field] : {std::pair{"by", &a.by}, std::pair{"comment", &a.comment}}) {
      if (!body.contains(key) || body[key].is_null()) continue;
      if (!body[key].is_string()) return HttpResponse::json_error(400, std::string(key) + " must be a string");
      *field = body[key].get<std::string>().substr(0, 1024);
    }
  }
  if (a.by.empty()) return HttpResponse::json_error(400, "by is required: who takes the alert");
  switch (alerts_.policy().ack(fp, a)) {
    case NotificationPolicy::AckResult::kUnknown: return HttpResponse::json_error(404, "no firing alert " + id);
    case NotificationPolicy::AckResult::kNotFiring: return HttpResponse::json_error(409, "alert " + id + " is not firing");
    case NotificationPolicy::AckResult::kAcked: break;
  }
  spdlog::info("alert id={} acknowledged by={}", id, printable(a.by));
  alerts_.save_state();
  return HttpResponse::json(dump({{"id", id}, {"ack", {{"by", sanitize_utf8(a.by)}, {"comment", sanitize_utf8(a.comment)}, {"at", rfc3339(a.at)}}}}));
}

HttpResponse AlertsApi::captures_response(const HttpRequest& req) const {
  std::string rest = req.path.substr(std::min(req.path.size(), std::string("/api/v1/captures").size()));
  while (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
  auto info_json = [this](const CaptureInfo& c) {
    CaptureAnswer out;
    out.id = c.id;
    out.rule = c.rule;
    if (!c.target.value.empty()) out.target = sanitize_utf8(c.target.value);
    out.status = c.status;
    out.error = c.error;
    out.started = rfc3339(c.started);
    out.duration_seconds = std::chrono::duration<double>(c.duration).count();
    out.bytes = c.bytes;
    for (const auto& f : c.files) out.files[f] = alerts_.base_url() + "/api/v1/captures/" + c.id + "/" + f;
    return nlohmann::json(out);
  };
  if (rest.empty()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : alerts_.captures().list()) arr.push_back(info_json(c));
    return HttpResponse::json(dump({{"captures", arr}}));
  }
  auto slash = rest.find('/');
  std::string id = rest.substr(0, slash);
  if (slash == std::string::npos) {
    auto c = alerts_.captures().find(id);
    if (!c) return HttpResponse::json_error(404, "no capture " + sanitize_utf8(id));
    return HttpResponse::json(dump(info_json(*c)));
  }
  std::string file = rest.substr(slash + 1);
  auto path = alerts_.captures().file_path(id, file);
  if (!path) return HttpResponse::json_error(404, "no file " + sanitize_utf8(file) + " in capture " + sanitize_utf8(id));
  std::ifstream in(*path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  HttpResponse r;
  r.content_type = content_type_of(file);
  r.body = ss.str();
  // Captured SVGs carry text from watched processes: no scripts from them
  // run with the API's origin.
  r.headers.push_back({"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; sandbox allow-scripts"});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  return r;
}

}  // namespace kscope
