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

std::vector<RuleConfig> AlertsService::rules() const {
  std::lock_guard lock(eval_mu_);
  return rules_;
}

std::vector<std::shared_ptr<SinkWorker>> AlertsService::sinks() const {
  std::lock_guard lock(sinks_mu_);
  return sinks_;
}

nlohmann::json AlertsService::state_health() const {
  std::lock_guard lock(state_mu_);
  if (!state_file_) return {{"dir", nullptr}, {"persisted", false}, {"error", nullptr}};
  std::string err = state_file_->error().empty() ? state_error_ : state_file_->error();
  return {{"dir", state_file_->dir()}, {"persisted", true}, {"error", err.empty() ? nlohmann::json(nullptr) : nlohmann::json(err)}};
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
