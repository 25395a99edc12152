#include "alerts/alerts_service.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "alerts/alert_json.h"
#include "alerts/payloads.h"
#include "common/escape.h"

namespace kscope {
namespace {

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

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

std::string api_base_url(const Config& config) {
  std::string base = config.alerts.external_url;
  if (base.empty()) {
    std::string listen = config.http.listen;
    auto colon = listen.rfind(':');
    std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
    std::string port = colon == std::string::npos ? "" : listen.substr(colon);
    if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") host = host_name();
    base = "http://" + host + port;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

Result<std::unique_ptr<AlertsService>> AlertsService::create(const Config& config,
                                                             std::shared_ptr<ProfileCapturer> capturer) {
  std::unique_ptr<AlertsService> s(new AlertsService());
  s->breakdown_ = config.breakdown == "none" ? "" : config.breakdown;
  s->base_url_ = api_base_url(config);
  s->enabled_ = config.alerts.enabled;
  SignalsOptions so;
  so.breakdown = s->breakdown_;
  so.syscalls = config.alerts.signal_syscalls;
  so.include_idle_waits = config.alerts.signal_include_idle_waits;
  so.profile_frequency = config.probes.profile.frequency;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  so.online_cpus = cpus > 0 ? static_cast<unsigned>(cpus) : 1;
  s->signals_ = std::make_unique<SignalsEngine>(so);
  AlertEngineOptions eo;
  eo.breakdown = s->breakdown_;
  eo.instance = host_name();
  eo.external_url = s->base_url_;
  eo.resend_interval = config.alerts.resend_interval;
  s->engine_ = std::make_unique<AlertEngine>(eo);
  s->captures_ = std::make_unique<CaptureManager>(config.alerts.capture, std::move(capturer),
                                                  s->base_url_ + "/api/v1/captures");
  s->engine_->set_fire_hook([p = s.get()](const RuleConfig& r, const Alert& a) { return p->on_fire(r, a); });
  auto sinks = s->build_sinks(config.alerts);
  if (!sinks) return sinks.error();
  s->sinks_ = std::move(*sinks);
  s->rules_ = config.alerts.enabled ? config.alerts.rules : std::vector<RuleConfig>{};
  (void)s->engine_->set_rules(s->rules_, std::chrono::system_clock::now());
  spdlog::info("alerts rules={} sinks={}", s->rules_.size(), s->sinks_.size());
  return s;
}

AlertsService::~AlertsService() = default;

Result<std::vector<std::shared_ptr<SinkWorker>>> AlertsService::build_sinks(const AlertsConfig& c) const {
  std::vector<std::shared_ptr<SinkWorker>> out;
  for (const auto& sc : c.sinks) {
    {
      // An unchanged sink keeps its worker, queue and counters.
      std::lock_guard lock(sinks_mu_);
      auto same = std::find_if(sinks_.begin(), sinks_.end(), [&](const auto& w) { return w->config() == sc; });
      if (same != sinks_.end()) {
        out.push_back(*same);
        continue;
      }
    }
    auto t = make_sink_transport(sc, c.resend_interval, base_url_);
    if (!t) return t.error();
    out.push_back(std::make_shared<SinkWorker>(sc, std::move(*t)));
  }
  return out;
}

StringPairs AlertsService::on_fire(const RuleConfig& rule, const Alert& alert) {
  if (rule.capture.count() <= 0) return {};
  CaptureTarget target;
  // A rule grouped by another label than the breakdown (source.by) has no
  // process or cgroup to narrow the capture to: the whole host is recorded.
  const RuleSource& src = rule.kind == "anomaly" ? rule.anomaly.source : rule.threshold.source;
  if (!alert.target.empty() && (rule.kind == "slo" || src.by.empty())) target = {breakdown_, alert.target};
  auto links = captures_->start(rule.name, target, rule.capture, std::chrono::system_clock::now());
  if (!links) return {{"capture", "skipped: another capture was running"}};
  return *links;
}

void AlertsService::dispatch(const std::vector<Notification>& notes) {
  if (notes.empty()) return;
  auto sinks = this->sinks();
  for (const auto& n : notes) {
    for (const auto& s : sinks) s->enqueue(n);
  }
}

void AlertsService::on_snapshot(const std::shared_ptr<const Snapshot>& snapshot) {
  auto t0 = std::chrono::steady_clock::now();
  std::lock_guard lock(eval_mu_);
  std::vector<Notification> notes;
  signals_->update(snapshot, [&](const IntervalPair& pair, const Signals& sig) {
    if (!enabled_ || pair.previous == nullptr) return;
    EvalContext ctx{pair, sig, pair.current.taken_steady};
    notes = engine_->evaluate(ctx, pair.current.taken_at);
  });
  dispatch(notes);
  last_eval_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Status AlertsService::reload(const Config& config) {
  auto sinks = build_sinks(config.alerts);
  if (!sinks) return sinks.error();
  std::lock_guard lock(eval_mu_);
  enabled_ = config.alerts.enabled;
  rules_ = config.alerts.enabled ? config.alerts.rules : std::vector<RuleConfig>{};
  auto notes = engine_->set_rules(rules_, std::chrono::system_clock::now());
  {
    std::lock_guard sl(sinks_mu_);
    sinks_ = std::move(*sinks);
  }
  dispatch(notes);
  spdlog::info("alerts reloaded rules={} sinks={}", rules_.size(), sinks_.size());
  return ok_status();
}

std::vector<std::shared_ptr<SinkWorker>> AlertsService::sinks() const {
  std::lock_guard lock(sinks_mu_);
  return sinks_;
}

HttpResponse AlertsService::signals_response(const HttpRequest& req) const {
  auto sig = signals_->latest();
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
  return HttpResponse::json(to_json(*sig) + "\n");
}

HttpResponse AlertsService::alerts_response(const HttpRequest& req) const {
  const std::string rule_filter = req.param("rule");
  const std::string state_filter = req.param("state");
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& a : engine_->alerts()) {
    if (!rule_filter.empty() && a.rule != rule_filter) continue;
    if (!state_filter.empty() && alert_state_name(a.state) != state_filter) continue;
    alerts.push_back(alert_json(a));
  }
  nlohmann::json rules = nlohmann::json::array();
  {
    std::lock_guard lock(eval_mu_);
    for (const auto& r : rules_) {
      rules.push_back({{"name", r.name}, {"kind", r.kind}, {"severity", r.severity}, {"scope", r.scope},
                       {"target", r.target.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.target)}});
    }
  }
  bool all_up = true;
  return HttpResponse::json(dump({{"alerts", alerts}, {"rules", rules}, {"sinks", sinks_health(all_up)}}));
}

HttpResponse AlertsService::captures_response(const HttpRequest& req) const {
  std::string rest = req.path.substr(std::min(req.path.size(), std::string("/api/v1/captures").size()));
  while (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
  auto info_json = [this](const CaptureInfo& c) {
    nlohmann::json files = nlohmann::json::object();
    for (const auto& f : c.files) files[f] = base_url_ + "/api/v1/captures/" + c.id + "/" + f;
    return nlohmann::json{{"id", c.id},
                          {"rule", c.rule},
                          {"target", c.target.value.empty() ? nlohmann::json(nullptr) : nlohmann::json(sanitize_utf8(c.target.value))},
                          {"status", c.status},
                          {"error", c.error},
                          {"started", rfc3339(c.started)},
                          {"duration_seconds", std::chrono::duration<double>(c.duration).count()},
                          {"bytes", c.bytes},
                          {"files", files}};
  };
  if (rest.empty()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : captures_->list()) arr.push_back(info_json(c));
    return HttpResponse::json(dump({{"captures", arr}}));
  }
  auto slash = rest.find('/');
  std::string id = rest.substr(0, slash);
  if (slash == std::string::npos) {
    auto c = captures_->find(id);
    if (!c) return HttpResponse::json_error(404, "no capture " + sanitize_utf8(id));
    return HttpResponse::json(dump(info_json(*c)));
  }
  std::string file = rest.substr(slash + 1);
  auto path = captures_->file_path(id, file);
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

nlohmann::json AlertsService::sinks_health(bool& all_up) const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& w : sinks()) {
    SinkStats s = w->stats();
    all_up = all_up && s.up;
    arr.push_back({{"name", s.name},
                   {"type", s.type},
                   {"up", s.up},
                   {"last_error", s.last_error},
                   {"last_error_at", s.last_error_at == WallTime{} ? nlohmann::json(nullptr) : nlohmann::json(rfc3339(s.last_error_at))},
                   {"last_success", s.last_success == WallTime{} ? nlohmann::json(nullptr) : nlohmann::json(rfc3339(s.last_success))},
                   {"queued", s.queued},
                   {"sent", s.sent},
                   {"failed", s.failed},
                   {"dropped", s.dropped},
                   {"retries", s.retries}});
  }
  return arr;
}

std::vector<Family> AlertsService::metric_families() const {
  Family firing{"kscope_alerts_firing", "Alerts firing now, per rule.", MetricType::kGauge, {}};
  for (const auto& [key, n] : engine_->firing_counts()) {
    firing.series.push_back({{{"rule", key.first}, {"severity", key.second}}, double(n), {}});
  }
  Family notes{"kscope_alert_notifications_total",
               "Alert notifications per sink: sent, failed (after every retry), dropped (queue full), retry (failed "
               "attempts retried).",
               MetricType::kCounter, {}};
  Family up{"kscope_alert_sink_up", "Whether a sink's last delivery succeeded (1) or not (0).", MetricType::kGauge, {}};
  for (const auto& w : sinks()) {
    SinkStats s = w->stats();
    for (auto [result, v] : {std::pair<const char*, uint64_t>{"sent", s.sent}, {"failed", s.failed},
                             {"dropped", s.dropped}, {"retry", s.retries}}) {
      notes.series.push_back({{{"sink", s.name}, {"result", result}}, double(v), {}});
    }
    up.series.push_back({{{"sink", s.name}}, s.up ? 1.0 : 0.0, {}});
  }
  CaptureCounts cc = captures_->counts();
  Family caps{"kscope_alert_captures_total", "Flame graph captures started by alerts: done, failed, busy (skipped).",
              MetricType::kCounter,
              {{{{"result", "done"}}, double(cc.done), {}},
               {{{"result", "failed"}}, double(cc.failed), {}},
               {{{"result", "busy"}}, double(cc.busy), {}}}};
  Family eval{"kscope_alert_evaluation_seconds", "How long computing the signals and evaluating every rule took, last interval.",
              MetricType::kGauge, {{{}, last_eval_seconds_.load(), {}}}};
  std::vector<Family> out;
  for (Family* f : {&firing, &notes, &up, &caps, &eval}) out.push_back(std::move(*f));
  return out;
}

}  // namespace kscope
