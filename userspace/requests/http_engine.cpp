#include "requests/http_engine.h"

#include "collect/cardinality.h"

namespace kscope::requests {
namespace {

// Processes whose labels are cached between two evict_idle() calls.
constexpr size_t kMaxCachedProcesses = 4096;

}  // namespace

HttpEngine::HttpEngine(HttpEngineConfig config, ProcessResolver resolver)
    : config_(std::move(config)),
      resolver_(std::move(resolver)),
      routes_(config_.routes, config_.max_routes),
      metrics_(config_.breakdown_label, config_.max_series),
      matcher_(config_.limits, [this](const Exchange& e) { on_exchange(e); }) {}

const ProcessLabels& HttpEngine::labels_of(uint32_t tgid) {
  auto it = processes_.find(tgid);
  if (it != processes_.end()) return it->second;
  if (processes_.size() >= kMaxCachedProcesses) processes_.clear();
  return processes_.emplace(tgid, resolver_ ? resolver_(tgid) : ProcessLabels{}).first->second;
}

void HttpEngine::on_exchange(const Exchange& e) {
  const ProcessLabels& p = labels_of(e.tgid);
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
  if (config_.breakdown_label.empty() || config_.max_breakdown == 0) return;
  for (size_t i = first; i < out.size(); ++i) {
    if (out[i].type == MetricType::kHistogram) fold_breakdown(out[i], config_.breakdown_label, config_.max_breakdown);
  }
}

}  // namespace kscope::requests
