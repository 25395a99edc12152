#include "api/service_map_answer.h"

#include "api/json_read.h"

namespace kscope {

void to_json(nlohmann::json& j, const ServiceEdgeAnswer& e) {
  nlohmann::json server = {{"address", e.server_address},
                           {"port", e.server_port},
                           {"process", e.server_process ? nlohmann::json(*e.server_process) : nlohmann::json()},
                           {"pid", e.server_pid ? nlohmann::json(*e.server_pid) : nlohmann::json()}};
  j = {{"client", e.client},
       {"protocol", e.protocol},
       {"server", std::move(server)},
       {"requests_per_second", json_finite(e.requests_per_second)},
       {"error_ratio", json_finite(e.error_ratio)},
       {"p50_seconds", json_finite(e.p50_seconds)},
       {"p99_seconds", json_finite(e.p99_seconds)},
       {"count", e.count}};
}

void to_json(nlohmann::json& j, const ServiceMapAnswer& a) {
  j = {{"time", a.time}, {"interval_seconds", a.interval_seconds}, {"breakdown", a.breakdown}, {"edges", a.edges}};
}

void from_json(const nlohmann::json& j, ServiceEdgeAnswer& e) {
  e = {};
  if (!j.is_object()) return;
  e.client = json_string(j, "client");
  e.protocol = json_string(j, "protocol");
  if (auto s = j.find("server"); s != j.end() && s->is_object()) {
    e.server_address = json_string(*s, "address");
    e.server_port = json_string(*s, "port");
    if (auto p = s->find("process"); p != s->end() && p->is_string()) e.server_process = p->get<std::string>();
    if (auto p = s->find("pid"); p != s->end() && p->is_number_integer()) e.server_pid = p->get<int64_t>();
  }
  e.requests_per_second = json_number(j, "requests_per_second");
  e.error_ratio = json_number(j, "error_ratio");
  e.p50_seconds = json_number(j, "p50_seconds");
  e.p99_seconds = json_number(j, "p99_seconds");
  if (auto c = j.find("count"); c != j.end() && c->is_number_unsigned()) e.count = c->get<uint64_t>();
}

void from_json(const nlohmann::json& j, ServiceMapAnswer& a) {
  a = {};
  if (!j.is_object()) return;
  a.time = json_string(j, "time");
  a.interval_seconds = json_number(j, "interval_seconds").value_or(0);
  a.breakdown = json_string(j, "breakdown");
  if (auto e = j.find("edges"); e != j.end() && e->is_array()) {
    a.has_edges = true;
    a.edges.reserve(e->size());
    for (const auto& x : *e) {
      if (x.is_object()) a.edges.push_back(x.get<ServiceEdgeAnswer>());
    }
  }
}

}  // namespace kscope
