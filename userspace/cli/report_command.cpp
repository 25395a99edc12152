// `kscope report --window 1h -o report.html`: a self-contained HTML page
// from a running kscope's history (signals, top targets, trends, alerts,
// captured flame graphs).
#include <iostream>

#include "cli/command.h"
#include "common/duration.h"
#include "common/embedded.h"
#include "flamegraph/output_sink.h"
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
};

int run_report(const ReportOptions& o) {
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
  cmd->add_option("--window", opts->window, "how far back (the history keeps up to 1h)")->capture_default_str();
  cmd->add_option("-o,--output", opts->output, "the HTML file to write")->capture_default_str();
  cmd->add_option("--by", opts->by, "the breakdown label kscope run uses (comm or cgroup)")->capture_default_str();
  cmd->add_option("--top", opts->top, "targets listed per signal")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->callback([opts, &selected] { selected = [opts] { return run_report(*opts); }; });
}

}  // namespace kscope
