// The REST face of the History: GET /api/v1/query, /api/v1/metrics-list and
// /api/v1/history. Every bad parameter is a 400 with a JSON message.
//
// /api/v1/query parameters:
//   name         metric name, optionally with a selector: kscope_x{comm="a"}
//   match        label matchers, {label="v",label=~"re",label!="v"}
//   start, end   unix seconds (fractions allowed), "now", or "-15m" (before now);
//                default end=now, start=end-15m
//   step         a duration ("10s") or seconds; default: the range / 300,
//                at least the collector interval
//   aggregation  avg | min | max | sum | rate | increase | pNN (see history/query.h)
//   by           comma-separated labels to group by
//   limit        keep the N groups with the highest mean
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "export/http_message.h"
#include "history/query.h"

namespace kscope {

// Builds a query from named parameters (nullopt: absent); `now` and
// `interval` give the defaults. Shared by the REST route and the WebSocket.
using ParamGetter = std::function<std::optional<std::string>(const std::string&)>;
Result<QuerySpec> query_spec_from_params(const ParamGetter& param, std::chrono::system_clock::time_point now,
                                         Nanos interval);
Result<QuerySpec> query_spec_from_request(const HttpRequest& req, std::chrono::system_clock::time_point now,
                                          Nanos interval);

// {"name", "type", "aggregation", "found", "start", "end", "step",
//  "timestamps": [unix s...], "series": [{"labels": {..}, "values": [v|null..], "mean"}]}
nlohmann::json query_result_json(const QuerySpec& spec, const QueryResult& result);

// The whole /api/v1/query handler.
HttpResponse handle_query(const History& history, const HttpRequest& req, Nanos interval);

// Serializes with invalid UTF-8 replaced, as every API response must.
std::string dump_json(const nlohmann::json& j, int indent = -1);

double unix_seconds(std::chrono::system_clock::time_point t);

}  // namespace kscope
