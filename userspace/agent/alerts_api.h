// The alerting pipeline's HTTP API, answered from the AlertsService
// (alerts/alerts_service.h), which knows nothing of HTTP:
//   GET /api/v1/signals[?target=T[&kernel=true]]
//   GET /api/v1/alerts[?rule=R&state=S], POST /api/v1/alerts/ID/ack
//   GET/POST /api/v1/silences, GET/DELETE /api/v1/silences/ID
//     (Alertmanager's v2 silence shape, see alerts/silence.h)
//   GET /api/v1/captures[/ID[/FILE]]
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "alerts/alerts_service.h"
#include "export/http_message.h"

namespace kscope {

class AlertsApi {
 public:
  explicit AlertsApi(AlertsService& alerts) : alerts_(alerts) {}

  HttpResponse signals_response(const HttpRequest& req) const;
  HttpResponse alerts_response(const HttpRequest& req) const;
  HttpResponse captures_response(const HttpRequest& req) const;
  HttpResponse silences_response(const HttpRequest& req);
  // POST /api/v1/alerts/ID/ack with {"by", "comment"}.
  HttpResponse alert_action_response(const HttpRequest& req);

 private:
  void add_policy_status(nlohmann::json& j, const Alert& a) const;

  AlertsService& alerts_;
  // The whole-host /api/v1/signals body, written once per signals set: a
  // dashboard per person asks for the same one every interval, and the
  // JSON (~70 KB on a busy host) cost more than serving it.
  mutable std::mutex signals_body_mu_;
  mutable std::shared_ptr<const Signals> signals_body_for_;
  mutable std::shared_ptr<const std::string> signals_body_;
};

}  // namespace kscope
