#include "api/query_answer.h"

#include <cmath>

#include "api/json_read.h"

namespace kscope {

const std::string* QueryAnswerSeries::label(const std::string& name) const {
  auto it = labels.find(name);
  return it == labels.end() ? nullptr : &it->second;
}

std::optional<double> QueryAnswerSeries::newest() const {
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    if (*it) return *it;
  }
  return std::nullopt;
}

void to_json(nlohmann::json& j, const QueryAnswerSeries& s) {
  nlohmann::json values = nlohmann::json::array();
  for (const auto& v : s.values) values.push_back(json_finite(v));
  j = {{"labels", s.labels}, {"values", std::move(values)}, {"mean", json_finite(s.mean)}};
}

void to_json(nlohmann::json& j, const QueryAnswer& a) {
  j = {{"name", a.name},
       {"type", a.type},
       {"aggregation", a.aggregation},
       {"found", a.found},
       {"start", a.start},
       {"end", a.end},
       {"step", a.step},
       {"timestamps", a.timestamps},
       {"series", a.series}};
}

void from_json(const nlohmann::json& j, QueryAnswerSeries& s) {
  s = {};
  if (!j.is_object()) return;
  if (auto l = j.find("labels"); l != j.end() && l->is_object()) {
    for (const auto& [k, v] : l->items()) {
      if (v.is_string()) s.labels[k] = v.get<std::string>();
    }
  }
  if (auto v = j.find("values"); v != j.end() && v->is_array()) {
    s.values.reserve(v->size());
    for (const auto& x : *v) s.values.push_back(json_number(x));
  }
  s.mean = json_number(j, "mean");
}

void from_json(const nlohmann::json& j, QueryAnswer& a) {
  a = {};
  if (!j.is_object()) return;
  a.name = json_string(j, "name");
  a.type = json_string(j, "type");
  a.aggregation = json_string(j, "aggregation");
  a.found = json_bool(j, "found");
  a.start = json_number(j, "start").value_or(0);
  a.end = json_number(j, "end").value_or(0);
  a.step = json_number(j, "step").value_or(0);
  if (auto t = j.find("timestamps"); t != j.end() && t->is_array()) {
    a.timestamps.reserve(t->size());
    for (const auto& x : *t) a.timestamps.push_back(json_number(x).value_or(std::nan("")));
  }
  if (auto s = j.find("series"); s != j.end() && s->is_array()) {
    a.series.reserve(s->size());
    for (const auto& x : *s) a.series.push_back(x.get<QueryAnswerSeries>());
  }
}

}  // namespace kscope
