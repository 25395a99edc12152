#include "alerts/alerts_service.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "alerts/alert_json.h"
#include "alerts/payloads.h"
#include "common/escape.h"
#include "common/thread_name.h"

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
  s->breakdown_ = breakdown_label(config.breakdown);
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
  auto policy = NotificationPolicy::create(policy_config(config.alerts, s->sinks_));
  if (!policy) return policy.error();
  s->policy_ = std::move(*policy);
  if (const std::string state_dir = alert_state_dir(config.alerts); !state_dir.empty()) {
    s->state_file_ = std::make_unique<PolicyStateFile>(state_dir);
    PolicySnapshot saved = s->state_file_->load();
    s->state_error_ = s->state_file_->error();
    s->policy_->restore(saved, std::chrono::system_clock::now());
    if (!saved.alerts.empty() || !saved.silences.empty()) {
      spdlog::info("alert state restored from {}: firing={} silences={}", s->state_file_->path(), saved.alerts.size(),
                   saved.silences.size());
    }
  }
  s->rules_ = config.alerts.enabled ? config.alerts.rules : std::vector<RuleConfig>{};
  (void)s->engine_->set_rules(s->rules_, std::chrono::system_clock::now());
  s->notifier_ = std::thread([p = s.get()] {
    name_this_thread("kscope-notify");
    p->notifier_loop();
  });
  spdlog::info("alerts rules={} sinks={}", s->rules_.size(), s->sinks_.size());
  return s;
}

AlertsService::~AlertsService() {
  {
    std::lock_guard lock(notifier_mu_);
    stopping_ = true;
  }
  notifier_cv_.notify_all();
  if (notifier_.joinable()) notifier_.join();
  if (policy_) save_state();
}

PolicyConfig AlertsService::policy_config(const AlertsConfig& c, const std::vector<std::shared_ptr<SinkWorker>>& sinks) {
  PolicyConfig pc{c.notify, c.routes, c.maintenance, {}};
  for (const auto& w : sinks) {
    if (!w->forwards_all()) pc.sinks.push_back(w->config().name);
  }
  return pc;
}

void AlertsService::notifier_loop() {
  // A quarter second is finer than any group_wait worth configuring and
  // costs nothing when no group is due.
  constexpr auto kTick = std::chrono::milliseconds(250);
  std::unique_lock lock(notifier_mu_);
  while (!stopping_) {
    notifier_cv_.wait_for(lock, kTick, [this] { return stopping_ || kicked_; });
    if (stopping_) break;
    kicked_ = false;
    lock.unlock();
    deliver(policy_->tick(std::chrono::system_clock::now()));
    if (policy_->dirty()) save_state();
    lock.lock();
  }
}

void AlertsService::save_state() {
  if (!state_file_) return;
  std::lock_guard lock(state_mu_);
  auto snap = policy_->snapshot();
  if (auto st = state_file_->save(snap); !st) {
    spdlog::warn("alert state not saved: {}", st.error().to_string());
  }
}

void AlertsService::deliver(std::vector<Delivery> deliveries) {
  if (deliveries.empty()) return;
  auto sinks = this->sinks();
  for (auto& d : deliveries) {
    for (const auto& w : sinks) {
      if (w->config().name == d.sink && !w->forwards_all()) w->enqueue_batch(std::move(d.batch));
    }
  }
}

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
  const RuleSource* src = rule.source();
  if (!alert.target.empty() && (src == nullptr || src->by.empty())) target = {breakdown_, alert.target};
  auto links = captures_->start(rule.name, target, rule.capture, std::chrono::system_clock::now());
  if (!links) return {{"capture", "skipped: another capture was running"}};
  return *links;
}

void AlertsService::dispatch(const std::vector<Notification>& notes) {
  if (notes.empty()) return;
  policy_->observe(notes, std::chrono::system_clock::now());
  for (const auto& s : sinks()) {
    if (!s->forwards_all()) continue;
    for (const auto& n : notes) s->enqueue(n);
  }
  {
    std::lock_guard lock(notifier_mu_);
    kicked_ = true;  // changes with no group_wait go out now, not at the next tick
  }
  notifier_cv_.notify_all();
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
  if (auto st = policy_->reconfigure(policy_config(config.alerts, *sinks)); !st) return st;
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

void AlertsService::add_policy_status(nlohmann::json& j, const Alert& a) const {
  AlertPolicyStatus st = policy_->status(a, std::chrono::system_clock::now());
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

HttpResponse AlertsService::silences_response(const HttpRequest& req) {
  const auto now = std::chrono::system_clock::now();
  std::string id = req.path.substr(std::min(req.path.size(), std::string("/api/v1/silences").size()));
  while (!id.empty() && id.front() == '/') id.erase(0, 1);
  if (id.empty()) {
    if (req.method == "GET" || req.method == "HEAD") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& sil : policy_->silences()) arr.push_back(silence_json(sil, now));
      return HttpResponse::json(dump(arr));
    }
    if (req.method != "POST") return HttpResponse::json_error(405, "use GET or POST on /api/v1/silences");
    if (req.body.size() > 64 * 1024) return HttpResponse::json_error(413, "a silence is at most 64 KiB of JSON");
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return HttpResponse::json_error(400, "the body is not JSON");
    auto parsed = parse_silence(body, now);
    if (!parsed) return HttpResponse::json_error(400, "invalid silence: " + parsed.error().message());
    auto added = policy_->add_silence(std::move(*parsed), now);
    if (!added) return HttpResponse::json_error(404, added.error().message());
    spdlog::info("silence id={} created_by={} until={}", added->id, printable(added->created_by), rfc3339(added->ends_at));
    nlohmann::json out = silence_json(*added, now);
    out["silenceID"] = added->id;  // what Alertmanager's POST answers
    save_state();
    return HttpResponse::json(dump(out));
  }
  auto sil = policy_->silence(id);
  if (!sil) return HttpResponse::json_error(404, "no silence " + sanitize_utf8(id));
  if (req.method == "GET" || req.method == "HEAD") return HttpResponse::json(dump(silence_json(*sil, now)));
  if (req.method != "DELETE") return HttpResponse::json_error(405, "use GET or DELETE on /api/v1/silences/ID");
  policy_->expire_silence(id, now);
  spdlog::info("silence id={} expired by request", id);
  save_state();
  return HttpResponse::json(dump(silence_json(*policy_->silence(id), now)));
}

HttpResponse AlertsService::alert_action_response(const HttpRequest& req) {
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
  switch (policy_->ack(fp, a)) {
    case NotificationPolicy::AckResult::kUnknown: return HttpResponse::json_error(404, "no firing alert " + id);
    case NotificationPolicy::AckResult::kNotFiring: return HttpResponse::json_error(409, "alert " + id + " is not firing");
    case NotificationPolicy::AckResult::kAcked: break;
  }
  spdlog::info("alert id={} acknowledged by={}", id, printable(a.by));
  save_state();
  return HttpResponse::json(dump({{"id", id}, {"ack", {{"by", sanitize_utf8(a.by)}, {"comment", sanitize_utf8(a.comment)}, {"at", rfc3339(a.at)}}}}));
}

nlohmann::json AlertsService::state_health() const {
  std::lock_guard lock(state_mu_);
  if (!state_file_) return {{"dir", nullptr}, {"persisted", false}, {"error", nullptr}};
  std::string err = state_file_->error().empty() ? state_error_ : state_file_->error();
  return {{"dir", state_file_->dir()}, {"persisted", true}, {"error", err.empty() ? nlohmann::json(nullptr) : nlohmann::json(err)}};
}

HttpResponse AlertsService::alerts_response(const HttpRequest& req) const {
  const std::string rule_filter = req.param("rule");
  const std::string state_filter = req.param("state");
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& a : engine_->alerts()) {
    if (!rule_filter.empty() && a.rule != rule_filter) continue;
    if (!state_filter.empty() && alert_state_name(a.state) != state_filter) continue;
    nlohmann::json j = alert_json(a);
    add_policy_status(j, a);
    alerts.push_back(std::move(j));
  }
  nlohmann::json rules = nlohmann::json::array();
  {
    std::lock_guard lock(eval_mu_);
    for (const auto& r : rules_) {
      rules.push_back({{"name", r.name}, {"kind", to_string(r.kind())}, {"severity", to_string(r.severity)},
                       {"scope", to_string(r.scope)},
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
                   {"type", to_string(s.type)},
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
  Family held{"kscope_alert_notifications_suppressed_total",
              "Alert notifications held back per sink and reason: silenced, maintenance, flapping, rate_limited "
              "(sent later in one message), unrouted (no route took the alert; sink=\"none\").",
              MetricType::kCounter, {}};
  for (const auto& [key, n] : policy_->suppressed()) {
    held.series.push_back({{{"sink", key.first}, {"reason", key.second}}, double(n), {}});
  }
  std::vector<Family> out;
  for (Family* f : {&firing, &notes, &up, &caps, &eval, &held}) out.push_back(std::move(*f));
  return out;
}

}  // namespace kscope
