#include "config/config.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/embedded.h"
#include "config/yaml_reader.h"

namespace kscope {
namespace {

void read_sampling(YamlSection sampling, SyscallsProbeConfig::Sampling& out) {
  sampling.read("enabled", out.enabled);
  sampling.read("attach_for", out.attach_for);
  sampling.read("period", out.period);
  if (out.attach_for < std::chrono::milliseconds(100)) {
    sampling.error("attach_for", "must be at least 100ms (the programs attached that long in each period)");
  }
  if (out.period > std::chrono::hours(1)) sampling.error("period", "must be at most 1h");
  if (out.attach_for > out.period) {
    sampling.error("attach_for", "must be at most the period (" + format_duration(out.period) +
                             "): the programs are attached for `attach_for` out of every `period`");
  }
  sampling.finish();
}

void read_probes(YamlSection probes, ProbesConfig& out) {
  auto syscalls = probes.section("syscalls");
  syscalls.read("enabled", out.syscalls.enabled);
  syscalls.read("max_entries", out.syscalls.max_entries, 16, 1u << 20);
  syscalls.read("slow_threshold", out.syscalls.slow_threshold);
  syscalls.read("slow_include_idle", out.syscalls.slow_include_idle);
  syscalls.read("max_stacks", out.syscalls.max_stacks, 64, 1u << 20);
  read_sampling(syscalls.section("sampling"), out.syscalls.sampling);
  syscalls.finish();

  auto sched = probes.section("sched");
  sched.read("enabled", out.sched.enabled);
  sched.read("max_entries", out.sched.max_entries, 16, 1u << 20);
  sched.read("runqueue_frequency", out.sched.runqueue_frequency, 1, 10000);
  sched.finish();

  auto offcpu = probes.section("offcpu");
  offcpu.read("enabled", out.offcpu.enabled);
  offcpu.read("min_block", out.offcpu.min_block);
  offcpu.read("max_block", out.offcpu.max_block);
  offcpu.read("max_stacks", out.offcpu.max_stacks, 64, 1u << 20);
  offcpu.finish();

  auto profile = probes.section("profile");
  profile.read("enabled", out.profile.enabled);
  profile.read("frequency", out.profile.frequency, 1, 10000);
  profile.read("max_stacks", out.profile.max_stacks, 64, 1u << 20);
  profile.finish();

  auto tcp = probes.section("tcp");
  tcp.read("enabled", out.tcp.enabled);
  tcp.read("max_endpoints", out.tcp.max_endpoints, 0, 100000);
  tcp.finish();

  auto block = probes.section("block");
  block.read("enabled", out.block.enabled);
  block.read("max_in_flight", out.block.max_in_flight, 64, 1u << 20);
  block.read("max_targets", out.block.max_targets, 16, 1u << 20);
  block.finish();

  auto exits = probes.section("exits");
  exits.read("enabled", out.exits.enabled);
  exits.read("max_entries", out.exits.max_entries, 16, 1u << 20);
  exits.finish();
  auto l7 = probes.section("l7");
  l7.read("enabled", out.l7.enabled);
  l7.read("tls", out.l7.tls);
  l7.read("capture_bytes", out.l7.capture_bytes, 16, 1024);
  l7.read("max_connections", out.l7.max_connections, 64, 1u << 22);
  l7.read("ring_buffer_bytes", out.l7.ring_buffer_bytes, 1u << 16, 1u << 30);
  if ((out.l7.ring_buffer_bytes & (out.l7.ring_buffer_bytes - 1)) != 0) {
    l7.error("ring_buffer_bytes", "must be a power of two");
  }
  l7.read("max_series", out.l7.max_series, 1, 100000);
  l7.read("max_routes", out.l7.max_routes, 1, 100000);
  l7.read("slow_threshold", out.l7.slow_threshold);
  l7.read("error_events", out.l7.error_events);
  l7.read("events_per_second", out.l7.events_per_second, 0, 100000);
  // The patterns' syntax is the request engine's (requests/route_template.h),
  // checked when kscope run builds it; here only the shape.
  l7.each("routes", [&](YamlSection& r) {
    L7RoutesConfig routes;
    r.read("service", routes.service);
    r.read_strings("patterns", routes.patterns);
    if (routes.service.empty()) r.error("service", "is required: a process name (comm), or \"*\" for every process");
    if (routes.patterns.empty()) r.error("patterns", "is required: a list like [\"/users/{id}\"]");
    r.finish();
    out.l7.routes.push_back(std::move(routes));
  });
  l7.finish();

  probes.finish();
}

// Both or neither, and readable: a typo shows in --check-config, not as a
// dashboard that never loads.
void check_tls_files(YamlSection& http, const HttpConfig& cfg) {
  if (cfg.tls_cert.empty() != cfg.tls_key.empty()) {
    const bool has_cert = !cfg.tls_cert.empty();
    http.error(has_cert ? "tls_cert" : "tls_key",
               std::string("needs http.") + (has_cert ? "tls_key" : "tls_cert") + " too (both, or neither for plain HTTP)");
    return;
  }
  for (const auto& [key, file] : {std::pair{"tls_cert", cfg.tls_cert}, std::pair{"tls_key", cfg.tls_key}}) {
    if (!file.empty() && ::access(file.c_str(), R_OK) != 0) {
      http.error(key, "cannot read " + file + ": " + std::strerror(errno));
    }
  }
}

}  // namespace

std::vector<ProbeFamily> probe_families(const ProbesConfig& probes) {
  return {{"syscalls", probes.syscalls.enabled},
          {"sched", probes.sched.enabled},
          {"offcpu", probes.offcpu.enabled},
          {"profile", probes.profile.enabled},
          {"tcp", probes.tcp.enabled},
          {"block", probes.block.enabled},
          {"exits", probes.exits.enabled},
          {"l7", probes.l7.enabled}};
}

namespace {

void read_budget(YamlSection budget, BudgetConfig& out, bool syscalls_sampled) {
  budget.read("cpu_percent", out.cpu_percent);
  budget.read("window", out.window);
  budget.read("restore_after", out.restore_after);
  budget.read_strings("keep", out.keep);
  budget.read("measure", out.measure);
  if (!(out.cpu_percent >= 0 && out.cpu_percent <= 100)) {
    budget.error("cpu_percent", "must be from 0 (no budget) to 100 (percent of one core)");
  }
  if (out.window < std::chrono::seconds(1)) budget.error("window", "must be at least 1s");
  if (out.restore_after < out.window) budget.error("restore_after", "must be at least the window");
  for (const auto& name : out.keep) {
    if (std::find(kProbeNames.begin(), kProbeNames.end(), name) == kProbeNames.end()) {
      budget.error("keep", "unknown probe '" + name + "': use syscalls, sched, profile, tcp, block, exits or l7");
    }
  }
  // The sampling mode attaches and detaches the syscall probe itself; the
  // budget detaching it too would make its periods meaningless.
  if (syscalls_sampled && out.cpu_percent > 0 &&
      std::find(out.keep.begin(), out.keep.end(), "syscalls") == out.keep.end()) {
    budget.error("keep", "must name syscalls while probes.syscalls.sampling is enabled (the sampling mode "
                         "detaches and re-attaches that probe itself)");
  }
  budget.finish();
}

}  // namespace

Result<Config> parse_config(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error(file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                 ": not valid YAML: " + e.msg);
  }
  Config cfg;
  std::vector<std::string> errors;
  YamlSection top(root, file, "", &errors);
  top.read("interval", cfg.interval);
  top.read_enum("log_level", cfg.log_level, {"trace", "debug", "info", "warn", "error", "off"});
  top.read_enum("breakdown", cfg.breakdown, kBreakdownNames);
  top.read("max_series", cfg.max_series, 1, 100000);
  top.read("series_ttl", cfg.series_ttl);
  top.read("strict", cfg.strict);
  top.read_durations("latency_buckets", cfg.latency_buckets_seconds);

  auto filter = top.section("filter");
  filter.read("pid", cfg.filter_pid);
  filter.read("cgroup", cfg.filter_cgroup);
  filter.finish();

  auto http = top.section("http");
  http.read("listen", cfg.http.listen);
  http.read("token_file", cfg.http.token_file);
  http.read("token_env", cfg.http.token_env);
  http.read("protect_metrics", cfg.http.protect_metrics);
  http.read("tls_cert", cfg.http.tls_cert);
  http.read("tls_key", cfg.http.tls_key);
  http.read("max_connections", cfg.http.max_connections, 16, 1u << 20);
  check_tls_files(http, cfg.http);
  http.finish();

  auto exp = top.section("export");
  exp.read("histogram_targets", cfg.export_.histogram_targets, 0, 1000);
  exp.read("histogram_syscalls", cfg.export_.histogram_syscalls, 0, 1000);
  exp.read("counter_syscalls", cfg.export_.counter_syscalls, 0, 1000);
  exp.finish();

  read_probes(top.section("probes"), cfg.probes);
  auto resources = top.section("resources");
  resources.read("host", cfg.resources.host);
  resources.read("export_node_metrics", cfg.resources.export_node_metrics);
  resources.read("cgroups", cfg.resources.cgroups);
  resources.read("max_cgroups", cfg.resources.max_cgroups, 1, 100000);
  resources.finish();
  read_budget(top.section("budget"), cfg.budget, cfg.probes.syscalls.sampling.enabled);
  auto history = top.section("history");
  history.read("retention", cfg.history.retention);
  history.read("max_mib", cfg.history.max_mib, 1, 1u << 16);
  if (cfg.history.retention < std::chrono::minutes(1) || cfg.history.retention > std::chrono::hours(24)) {
    history.error("retention", "must be from 1m to 24h");
  }
  history.finish();
  read_alerts_config(top.section("alerts"), cfg.alerts);
  top.finish();

  if (cfg.interval < std::chrono::milliseconds(100) && errors.empty()) {
    errors.push_back(file + ": interval: must be at least 100ms");
  }
  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    return Error(msg);
  }
  return cfg;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error("cannot read config file " + path, "check the path given to --config", errno);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

std::string default_config_text() { return std::string(embedded_file("config/default.yaml")); }

}  // namespace kscope
