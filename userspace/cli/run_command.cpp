#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <utility>

#include "agent/agent.h"
#include "agent/instance_lock.h"
#include "agent/request_pipeline.h"
#include "cli/command.h"
#include "common/heap_trim.h"
#include "common/thread_caches.h"

namespace kscope {

void add_run_command(CLI::App& app, CommandRunner& selected) {
  struct Options {
    std::string config_path;
    std::string listen;
    bool print_default = false;
    std::string check_config;
    bool strict = false;
    bool allow_second = false;
    std::string lock_file;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("run", "Run the agent: all probes, /metrics, the REST API and alerts.");
  cmd->add_option("--config,-c", opts->config_path, "YAML config file (default: the embedded config)");
  cmd->add_option("--listen", opts->listen, "HTTP address, host:port (overrides http.listen)");
  cmd->add_flag("--print-default-config", opts->print_default, "Print the embedded default config and exit");
  cmd->add_option("--check-config", opts->check_config, "Validate a config file and exit");
  cmd->add_flag("--strict", opts->strict, "A probe that fails to load is fatal");
  cmd->add_flag("--allow-second", opts->allow_second,
                "Run even when another kscope run is running (every probe attaches a second time)");
  cmd->add_option("--lock-file", opts->lock_file,
                  "The file that tells one kscope run from a second (default: $KSCOPE_LOCK_FILE, else "
                  "/run/kscope.lock)");
  cmd->callback([opts, &selected] {
    selected = [opts]() -> int {
      if (opts->print_default) {
        std::cout << default_config_text();
        return 0;
      }
      if (!opts->check_config.empty()) {
        auto cfg = load_config(opts->check_config);
        if (!cfg) {
          const std::string& msg = cfg.error().message();
          std::cerr << cfg.error().to_string() << "\n";
          size_t n = 1 + static_cast<size_t>(std::count(msg.begin(), msg.end(), '\n'));
          std::cerr << opts->check_config << ": " << n << (n == 1 ? " error" : " errors") << "\n";
          return 1;
        }
        // What the config parser cannot check: route patterns are the
        // request engine's syntax.
        if (auto engine = http_engine_config(*cfg); !engine) {
          std::cerr << opts->check_config << ": " << engine.error().to_string() << "\n"
                    << opts->check_config << ": 1 error\n";
          return 1;
        }
        auto plural = [](size_t n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); };
        std::cout << opts->check_config << ": ok\n"
                  << opts->check_config << ": " << plural(cfg->alerts.rules.size(), "alert rule") << ", "
                  << plural(cfg->alerts.sinks.size(), "alert sink") << "\n";
        for (const auto& sink : cfg->alerts.sinks) {
          for (auto [what, env] : {std::pair<const char*, const std::string*>{"token", &sink.token_env},
                                   {"SMTP password", &sink.password_env},
                                   {"routing key", &sink.routing_key_env}}) {
            if (!env->empty() && std::getenv(env->c_str()) == nullptr) {
              std::cout << opts->check_config << ": note: sink " << sink.name << " reads its " << what << " from $"
                        << *env << ", which is not set here\n";
            }
          }
        }
        return 0;
      }
      // First, before any thread exists: this may not return (exec).
      if (auto reexec = reexec_without_thread_caches(); !reexec) spdlog::warn("{}", reexec.error().to_string());
      auto cfg = opts->config_path.empty() ? parse_config(default_config_text(), "<embedded default config>")
                                           : load_config(opts->config_path);
      if (!cfg) {
        spdlog::error("invalid config:\n{}", cfg.error().to_string());
        return 1;
      }
      if (!opts->listen.empty()) cfg->http.listen = opts->listen;
      if (opts->strict) cfg->strict = true;
      if (cfg->log_level != "info") spdlog::set_level(spdlog::level::from_str(cfg->log_level));
      // Before anything attaches; held until the agent has detached.
      std::optional<InstanceLock> lock;
      if (!opts->allow_second) {
        auto acquired = InstanceLock::acquire(instance_lock_path(opts->lock_file), cfg->http.listen);
        if (!acquired) {
          spdlog::error("{}", acquired.error().to_string());
          return 1;
        }
        if (!acquired->warning().empty()) spdlog::warn("{}", acquired->warning());
        lock = std::move(*acquired);
      }
      block_shutdown_signals();
      map_large_blocks();
      auto agent = Agent::start(*cfg, opts->config_path);
      if (!agent) {
        spdlog::error("{}", agent.error().to_string());
        return 1;
      }
      (*agent)->run_until_signal();
      return 0;
    };
  });
}

}  // namespace kscope
