#include "requests/http_engine.h"

namespace kscope::requests {

HttpEngine::HttpEngine(HttpEngineConfig config, ProcessResolver resolver)
    : config_(std::move(config)),
      routes_(config_.routes, config_.max_routes),
      metrics_(config_.breakdown_label, config_.max_series),
      processes_(std::move(resolver)),
      matcher_(config_.limits, [this](const Exchange& e) { on_exchange(e); }) {}

void HttpEngine::on_exchange(const Exchange& e) {
  const ProcessLabels& p = processes_.get(e.tgid);
  std::string route = routes_.route(p.service, e.target);
  metrics_.record(e, route, p.breakdown);
  if (listener_) listener_(e, route);
}

void HttpEngine::evict_idle(uint64_t now_ns) {
  matcher_.evict_idle(now_ns);
  processes_.clear();
}

void HttpEngine::append(std::vector<Family>& out) const {
  size_t first = out.size();
  metrics_.append(out, matcher_.drops());
  fold_histogram_breakdowns(out, first, config_.breakdown_label, config_.max_breakdown);
}

}  // namespace kscope::requests
