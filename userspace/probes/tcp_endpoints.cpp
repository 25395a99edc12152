#include "probes/tcp_endpoints.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace kscope {

std::vector<Series> EndpointCap::series(const std::vector<RetransmitCount>& counts) {
  // Endpoints not seen before are admitted busiest first, so a burst that
  // fills the cap in one interval keeps the ones that matter most.
  std::vector<const RetransmitCount*> fresh;
  for (const auto& c : counts) {
    if (!c.other && !kept_.count({c.addr, c.port})) fresh.push_back(&c);
  }
  std::stable_sort(fresh.begin(), fresh.end(),
                   [](const auto* a, const auto* b) { return a->segments > b->segments; });
  for (const auto* c : fresh) {
    if (kept_.size() >= max_) break;
    kept_.insert({c->addr, c->port});
  }

  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> sums;
  for (const auto& c : counts) {
    bool own = !c.other && kept_.count({c.addr, c.port});
    sums[{c.state, own ? c.addr : "other", own ? std::to_string(c.port) : "other"}] += c.segments;
  }
  std::vector<Series> out;
  for (const auto& [k, v] : sums) {
    out.push_back({{{"state", std::get<0>(k)}, {"remote_addr", std::get<1>(k)}, {"remote_port", std::get<2>(k)}},
                   static_cast<double>(v),
                   {}});
  }
  return out;
}

}  // namespace kscope
