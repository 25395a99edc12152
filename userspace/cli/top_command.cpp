// `kscope top`: golden signals per process, or resources per cgroup, from a
// running `kscope run`, refreshed every interval, sortable by each column,
// `v` switching views; `--once` prints one frame (scripts, tests), `--json`
// the same as JSON.
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "common/duration.h"
#include "top/api_client.h"
#include "top/terminal.h"
#include "top/top_fetch.h"
#include "web/query_api.h"

namespace kscope {
namespace {

struct TopOptions {
  std::string url = "http://127.0.0.1:9494";
  std::string token_file;
  std::string token_env = "KSCOPE_TOKEN";
  std::string interval = "2s";
  std::string by = "comm";
  std::string view = "processes";
  std::string sort = "1";
  bool once = false;
  bool json = false;
  size_t width = 0, height = 0;
};

int run_top(const TopOptions& o) {
  auto interval = parse_duration(o.interval);
  if (!interval || interval->count() <= 0) {
    std::cerr << "kscope top: invalid --interval '" << o.interval << "' (e.g. 2s)\n";
    return 2;
  }
  const double window = std::max(1.0, std::chrono::duration<double>(*interval).count());
  auto token = read_api_token(o.token_file, o.token_env);
  if (!token) {
    std::cerr << "kscope top: " << token.error().to_string() << "\n";
    return 1;
  }
  auto api = ApiClient::create(o.url, *token);
  if (!api) {
    std::cerr << "kscope top: " << api.error().to_string() << "\n";
    return 2;
  }
  TopFrame frame;
  frame.source = o.url;
  frame.by = o.by;
  auto view = parse_top_view(o.view);
  if (!view) {
    std::cerr << "kscope top: invalid --view '" << o.view << "' (processes, services, edges or cgroups)\n";
    return 2;
  }
  frame.view = *view;
  auto col = o.sort.size() == 1 ? column_for_key(frame.view, o.sort[0]) : std::nullopt;
  if (!col) {
    std::string keys;
    for (const auto& c : top_view(frame.view).columns) keys += std::string(keys.empty() ? "" : ", ") + c.letter;
    std::cerr << "kscope top: invalid --sort '" << o.sort << "' for the " << o.view << " view (1-"
              << top_view(frame.view).columns.size() << " or " << keys << ")\n";
    return 2;
  }
  frame.sort = *col;

  if (o.once || o.json) {
    auto st = fetch_top(*api, window, frame);
    if (!st) {
      std::cerr << "kscope top: " << st.error().to_string() << "\n";
      return 1;
    }
    if (o.json) {
      std::cout << dump_json(top_json(frame), 2);
      return 0;
    }
    auto [w, h] = std::pair<size_t, size_t>{o.width ? o.width : 80, o.height ? o.height : 24};
    for (const auto& line : render_top(frame, w, h, false)) std::cout << line << "\n";
    return 0;
  }

  RawTerminal term;
  if (!term.active()) {
    std::cerr << "kscope top: stdin is not a terminal; use --once or --json for scripts\n";
    return 2;
  }
  const int interval_ms = static_cast<int>(window * 1000);
  auto next_fetch = std::chrono::steady_clock::now();
  while (!RawTerminal::interrupted()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_fetch) {
      auto st = fetch_top(*api, window, frame);
      frame.status = st ? "" : st.error().message();
      next_fetch = now + std::chrono::milliseconds(interval_ms);
    }
    auto [w, h] = RawTerminal::size();
    if (o.width) w = o.width;
    if (o.height) h = o.height;
    RawTerminal::draw(render_top(frame, w, h, true));
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_fetch - std::chrono::steady_clock::now());
    auto key = term.read_key(static_cast<int>(std::max<int64_t>(0, wait.count())));
    if (!key) continue;
    if (*key == 'q' || *key == 'Q' || *key == 3) break;
    if (*key == 'i') {
      frame.ascending = !frame.ascending;
    } else if (*key == 'v') {
      // Another view has other columns: its CPU first, fetched now.
      frame.view = next_top_view(frame.view);
      frame.sort = 0;
      frame.ascending = false;
      frame.rows.clear();
      frame.present = {};
      next_fetch = std::chrono::steady_clock::now();
      continue;
    } else if (auto c = column_for_key(frame.view, *key)) {
      frame.ascending = (*c == frame.sort) ? !frame.ascending : false;
      frame.sort = *c;
    } else {
      continue;
    }
    sort_rows(frame.rows, frame.sort, frame.ascending);
  }
  return 0;
}

}  // namespace

void add_top_command(CLI::App& app, CommandRunner& selected) {
  auto opts = std::make_shared<TopOptions>();
  auto* cmd = app.add_subcommand(
      "top", "Golden signals per process, or resources per cgroup, from a running `kscope run`, live in the terminal");
  cmd->add_option("--url", opts->url, "base URL of the kscope API")->capture_default_str();
  cmd->add_option("--token-file", opts->token_file, "file holding the API's bearer token");
  cmd->add_option("--token-env", opts->token_env, "environment variable holding the token when no --token-file")
      ->capture_default_str();
  cmd->add_option("--interval", opts->interval, "refresh interval, and the window each rate covers")
      ->capture_default_str();
  cmd->add_option("--by", opts->by, "the processes view's breakdown label kscope run uses (comm or cgroup)")
      ->capture_default_str();
  cmd->add_option("--view", opts->view,
                  "processes (golden signals per comm), services (requests served per comm: rate, 5xx share, "
                  "p50/p95/p99, database operations; needs probes.l7), edges (the service map: client -> "
                  "server, rate, failing share, p50/p99) or cgroups (CPU, throttling, memory, "
                  "pressure, I/O and OOM kills per cgroup); the v key switches")
      ->capture_default_str();
  cmd->add_option("--sort", opts->sort,
                  "initial sort column; processes: 1/c CPU cores, 2/s syscalls, 3/l p99 latency, 4/e errors, "
                  "5/b bytes, 6/r run queue, 7/o off-CPU; cgroups: 1/c CPU, 2/l limit, 3/t throttled, 4/m memory, "
                  "5/u memory of limit, 6/p memory pressure, 7/w I/O pressure, 8/b I/O bytes, 9/o OOM kills")
      ->capture_default_str();
  cmd->add_flag("--once", opts->once, "print one frame and exit (no terminal control codes)");
  cmd->add_flag("--json", opts->json, "print one frame as JSON and exit");
  cmd->add_option("--width", opts->width, "columns (default: the terminal's, 80 with --once)");
  cmd->add_option("--height", opts->height, "rows (default: the terminal's, 24 with --once)");
  cmd->callback([opts, &selected] { selected = [opts] { return run_top(*opts); }; });
}

}  // namespace kscope
