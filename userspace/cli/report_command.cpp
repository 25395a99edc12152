// `kscope report --window 1h -o report.html`: a self-contained HTML page
// from a running kscope's history (signals, top targets, trends, alerts,
// captured flame graphs).
// `kscope report --prometheus URL --window 14d [--match '{...}']
// [-o report.html | --format json]`: capacity planning over weeks of a
// fleet's history in Prometheus (report/capacity_report.h).
#include <iostream>

#include "cli/command.h"
#include "common/duration.h"
#include "common/embedded.h"
#include "flamegraph/output_sink.h"
#include "report/capacity_html.h"
#include "report/capacity_json.h"
#include "report/capacity_report.h"
#include "report/report_html.h"
#include "top/api_client.h"

namespace kscope {
namespace {

struct ReportOptions {
  std::string url = "http://127.0.0.1:9494";
  std::string token_file;
  std::string token_env = "KSCOPE_TOKEN";
  std::string window = "1h";
  std::string output = "report.html";
  std::string by = "comm";
  size_t top = 10;
  // Capacity planning from Prometheus.
  std::string prometheus;
  std::string prometheus_token_file;
  std::string match;
  std::string format = "html";
  std::string horizon = "30d";
  double headroom = 1.3;
  double anomaly_sigma = 5.0;
  bool damped = false;
  bool window_given = false, output_given = false;
};

int run_capacity_report(const ReportOptions& o) {
  auto window = parse_duration(o.window_given ? o.window : "14d");
  if (!window || window->count() <= 0) {
    std::cerr << "kscope report: invalid --window '" << o.window << "' (e.g. 14d, 28d)\n";
    return 2;
  }
  auto horizon = parse_duration(o.horizon);
  if (!horizon || horizon->count() <= 0) {
    std::cerr << "kscope report: invalid --horizon '" << o.horizon << "' (e.g. 30d)\n";
    return 2;
  }
  PrometheusOptions po;
  po.url = o.prometheus;
  if (!o.prometheus_token_file.empty()) {
    auto token = read_api_token(o.prometheus_token_file, "");
    if (!token) {
      std::cerr << "kscope report: " << token.error().to_string() << "\n";
      return 1;
    }
    po.headers.push_back("Authorization: Bearer " + *token);
  }
  auto prom = PrometheusClient::create(po);
  if (!prom) {
    std::cerr << "kscope report: " << prom.error().to_string() << "\n";
    return 2;
  }
  CapacityOptions co;
  co.window_seconds = std::chrono::duration<double>(*window).count();
  co.horizon_seconds = std::chrono::duration<double>(*horizon).count();
  co.headroom = o.headroom;
  co.anomaly_sigma = o.anomaly_sigma;
  co.damped = o.damped;
  co.match = o.match;
  if (auto inner = parse_match(o.match); !inner) {
    std::cerr << "kscope report: " << inner.error().to_string() << "\n";
    return 2;
  }
  auto report = build_capacity_report(*prom, co);
  if (!report) {
    std::cerr << "kscope report: " << report.error().to_string() << "\n";
    return 1;
  }
  std::string out;
  if (o.format == "json") {
    out = capacity_report_json(*report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    out = render_capacity_html(*report, embedded_file("web/vendor/uPlot.iife.min.js"),
                               embedded_file("web/vendor/uPlot.min.css"));
  }
  // JSON goes to stdout unless -o names a file; HTML to report.html.
  const std::string path = o.format == "json" && !o.output_given ? "-" : o.output;
  auto written = write_output_file(path, [&](const Sink& sink) { sink(out); });
  if (!written) {
    std::cerr << "kscope report: " << written.error().to_string() << "\n";
    return 1;
  }
  size_t rows = 0, found = 0;
  for (const auto& s : report->signals) {
    rows += s.series.size();
    found += s.found ? 1 : 0;
  }
  std::cerr << "kscope report: " << (path == "-" ? std::string("wrote JSON") : "wrote " + path) << " ("
            << report->hosts.size() << " hosts, " << found << " of " << report->signals.size() << " signals, " << rows
            << " series, step " << report->step << "s)\n";
  for (const auto& s : report->signals) {
    if (!s.found) std::cerr << "kscope report: " << s.spec->key << ": " << s.note << "\n";
  }
  return 0;
}

int run_report(const ReportOptions& o) {
  if (!o.prometheus.empty()) return run_capacity_report(o);
  if (o.format != "html") {
    std::cerr << "kscope report: --format json needs --prometheus (the report of a running kscope is HTML)\n";
    return 2;
  }
  auto window = parse_duration(o.window);
  if (!window || window->count() <= 0) {
    std::cerr << "kscope report: invalid --window '" << o.window << "' (e.g. 1h, 15m)\n";
    return 2;
  }
  auto token = read_api_token(o.token_file, o.token_env);
  if (!token) {
    std::cerr << "kscope report: " << token.error().to_string() << "\n";
    return 1;
  }
  auto api = ApiClient::create(o.url, *token, 30000);
  if (!api) {
    std::cerr << "kscope report: " << api.error().to_string() << "\n";
    return 2;
  }
  auto data = fetch_report(*api, std::chrono::duration<double>(*window).count(), o.by, o.top);
  if (!data) {
    std::cerr << "kscope report: " << data.error().to_string() << "\n";
    return 1;
  }
  std::string html = render_report_html(*data, embedded_file("web/vendor/uPlot.iife.min.js"),
                                         embedded_file("web/vendor/uPlot.min.css"));
  // Whole or not at all, like the flame graphs.
  auto written = write_output_file(o.output, [&](const Sink& out) { out(html); });
  if (!written) {
    std::cerr << "kscope report: " << written.error().to_string() << "\n";
    return 1;
  }
  size_t with_data = 0;
  for (const auto& s : data->signals) with_data += s.found ? 1 : 0;
  std::cerr << "kscope report: wrote " << o.output << " (" << html.size() << " bytes, " << with_data << " of "
            << data->signals.size() << " signals with data, " << data->alerts.size() << " alerts)\n";
  if (const std::string note = coverage_note(*data); !note.empty()) std::cerr << "kscope report: " << note << "\n";
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, CommandRunner& selected) {
  auto opts = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand("report", "Write a self-contained HTML report from a running `kscope run`'s history");
  cmd->add_option("--url", opts->url, "base URL of the kscope API")->capture_default_str();
  cmd->add_option("--token-file", opts->token_file, "file holding the API's bearer token");
  cmd->add_option("--token-env", opts->token_env, "environment variable holding the token when no --token-file")
      ->capture_default_str();
  cmd->add_option("--window", opts->window,
                  "how far back (the history keeps up to 1h; with --prometheus the default is 14d)")
      ->capture_default_str();
  cmd->add_option("-o,--output", opts->output, "the file to write (with --format json: stdout unless given)")
      ->capture_default_str();
  cmd->add_option("--by", opts->by, "the breakdown label kscope run uses (comm or cgroup)")->capture_default_str();
  cmd->add_option("--top", opts->top, "targets listed per signal")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_option("--prometheus", opts->prometheus,
                  "capacity planning: read the history from this Prometheus (http://host:9090) instead");
  cmd->add_option("--prometheus-token-file", opts->prometheus_token_file,
                  "file holding a bearer token for --prometheus");
  cmd->add_option("--match", opts->match, "with --prometheus: the hosts, as matchers, e.g. '{job=\"node\"}'");
  cmd->add_option("--format", opts->format, "html, or json (with --prometheus)")
      ->check(CLI::IsMember({"html", "json"}))
      ->capture_default_str();
  cmd->add_option("--horizon", opts->horizon, "with --prometheus: how far ahead to forecast")->capture_default_str();
  cmd->add_option("--headroom", opts->headroom, "with --prometheus: recommended capacity = forecast peak x this")
      ->check(CLI::Range(1.0, 10.0))
      ->capture_default_str();
  cmd->add_option("--anomaly-sigma", opts->anomaly_sigma,
                  "with --prometheus: a step is anomalous beyond this many robust sigmas of the forecast's error")
      ->check(CLI::Range(1.0, 100.0))
      ->capture_default_str();
  cmd->add_flag("--damped", opts->damped, "with --prometheus: forecast with a damped trend (levels off)");
  cmd->callback([opts, cmd, &selected] {
    opts->window_given = cmd->count("--window") > 0;
    opts->output_given = cmd->count("--output") > 0; selected = [opts] { return run_report(*opts); }; });
}

}  // namespace kscope
