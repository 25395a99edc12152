#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "loader/bpf_support.h"

namespace kscope {

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("kscope");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(level));
  install_libbpf_logging(level == "debug" || level == "trace");
}

}  // namespace kscope
