// kscope's configuration. Every field has a default (the member initializers
// below, mirrored by embed/default.yaml, which a unit test keeps in sync), so
// an empty file is a valid config.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/duration.h"
#include "common/result.h"
#include "config/alerts_config.h"
#include "model/breakdown.h"

namespace kscope {

struct HttpConfig {
  std::string listen = "127.0.0.1:9494";
  // Bearer token for everything but /metrics (unless protect_metrics); read
  // from a file or an environment variable, never written in the config.
  std::string token_file;
  std::string token_env;
  bool protect_metrics = false;
  // PEM certificate (chain) and private key: both set, kscope serves HTTPS
  // and WSS only. Read at start, before privileges are dropped.
  std::string tls_cert;
  std::string tls_key;
  // Connections open at once (dashboards' WebSockets included); more are
  // refused and counted in kscope_http_connections_refused_total.
  uint32_t max_connections = 4096;
  bool operator==(const HttpConfig&) const = default;
};

// What /metrics exports (export/metrics_view.h). kscope's own percentiles
// (API, signals, alerts, history) always use every target's fine in-kernel
// histogram; these only bound what a Prometheus stores.
struct ExportConfig {
  // The busiest targets (by syscalls) with their own syscall latency and
  // run-queue latency histograms; the rest are summed into "other".
  uint32_t histogram_targets = 10;
  // Per such target, its busiest syscalls with their own latency histogram;
  // its other calls are summed into syscall="other".
  uint32_t histogram_syscalls = 3;
  // Per target (all of them), its busiest syscalls with their own call and
  // time counters (kscope_syscalls_total, kscope_syscall_seconds_total);
  // the rest are summed into syscall="other".
  uint32_t counter_syscalls = 5;
  bool operator==(const ExportConfig&) const = default;
};

struct SyscallsProbeConfig {
  bool enabled = true;
  uint32_t max_entries = 4096;  // kernel map size per table
  // Syscalls at least this slow become events with their stacks (the
  // `kscope trace` stream, the dashboard). 0: off.
  Nanos slow_threshold = Nanos(0);
  // Idle waits (epoll_wait, sleeps, futex waits, …) become events too.
  bool slow_include_idle = false;
  uint32_t max_stacks = 16384;  // stack map entries for slow-syscall events
  // Sampling mode (docs/sampling.md): the syscall programs attached for
  // `attach_for` out of every `period`, counts scaled up and marked sampled="true".
  // Off by default: every syscall on the host then pays the tracepoint floor.
  struct Sampling {
    bool enabled = false;
    Nanos attach_for = std::chrono::seconds(1);
    Nanos period = std::chrono::seconds(10);
    bool operator==(const Sampling&) const = default;
  };
  Sampling sampling;
  bool operator==(const SyscallsProbeConfig&) const = default;
};

struct SchedProbeConfig {
  bool enabled = true;
  uint32_t max_entries = 2048;  // run-queue latency keys; idle ones are deleted after series_ttl
  // Run-queue length samples per second per CPU (software cpu-clock). Not
  // 99: sampling in lockstep with the profiler would see the same instants.
  uint32_t runqueue_frequency = 49;
  bool operator==(const SchedProbeConfig&) const = default;
};

struct OffcpuProbeConfig {
  bool enabled = true;
  Nanos min_block = std::chrono::milliseconds(1);
  Nanos max_block = Nanos(0);  // 0: no upper bound
  // Key map entries: by breakdown target in kscope run (no stacks), by
  // (process, stacks) with stack maps of as many entries when recording.
  // With the other defaults, all of kscope's maps full stay under 16 MB
  // (tests/bpf/map_budget_test.cpp).
  uint32_t max_stacks = 2048;
  bool operator==(const OffcpuProbeConfig&) const = default;
};

struct ProfileProbeConfig {
  bool enabled = true;
  uint32_t frequency = 99;
  uint32_t max_stacks = 2048;  // as for offcpu
  bool operator==(const ProfileProbeConfig&) const = default;
};

struct TcpProbeConfig {
  bool enabled = true;
  uint32_t max_endpoints = 64;  // remote address:port series before "other"
  bool operator==(const TcpProbeConfig&) const = default;
};

struct BlockProbeConfig {
  bool enabled = true;
  uint32_t max_in_flight = 8192;  // requests timed at once; more are counted as not timed
  // Kernel map entries, one per (device, operation, issuing target); when
  // full, new ones fold into "other" and kscope_map_overflow_total counts it.
  uint32_t max_targets = 1024;
  bool operator==(const BlockProbeConfig&) const = default;
};

// OOM kills and processes ended by a fatal signal (bpf/exits.bpf.c).
struct ExitsProbeConfig {
  bool enabled = true;
  // Kernel map entries, one per (kind, signal, process name, cgroup) seen;
  // when full, new keys fold into "other" and kscope_map_overflow_total
  // counts it.
  uint32_t max_entries = 1024;
  bool operator==(const ExitsProbeConfig&) const = default;
};

// Configured http_route patterns of one service (a process's comm, or "*"
// for every service), tried in order before the heuristic templates.
struct L7RoutesConfig {
  std::string service;
  std::vector<std::string> patterns;  // "/users/{id}"; checked at parse time
  bool operator==(const L7RoutesConfig&) const = default;
};

// Request capture (bpf/l7.bpf.c): connections and the first bytes of
// each read and write on them, fed to the request engine (HTTP durations,
// docs/requests.md). Off by default: its cost per syscall is not yet within
// kscope's budget (bench/l7/).
struct L7ProbeConfig {
  bool enabled = false;
  // Series per HTTP duration family (server, client) before http_route,
  // server_address and server_port fold into "_OTHER".
  uint32_t max_series = 2000;
  // Distinct (service, route template) pairs; later ones are "_OTHER".
  uint32_t max_routes = 500;
  std::vector<L7RoutesConfig> routes;
  // Plaintext of TLS connections from uprobes on OpenSSL's SSL_read/SSL_write
  // in every process that maps libssl. Off by default: a uprobe traps twice
  // per call (bench/l7: nginx over HTTPS went from ~10 to ~110 us of CPU a
  // request on a VM). Off, TLS connections are counted as tls_unseen.
  bool tls = false;
  uint32_t capture_bytes = 256;  // first bytes of each read/write kept; at most 1024
  // Connections tracked at once (kernel hash of (process, fd)); past it new
  // ones are not captured and kscope_l7_dropped_total{reason="conn_table_full"} counts them.
  uint32_t max_connections = 16384;
  uint32_t ring_buffer_bytes = 4u << 20;  // records on their way to userspace; a power of two
  // Requests at least this slow become events (/api/v1/events); 0: none
  // by duration.
  Nanos slow_threshold = std::chrono::seconds(1);
  // Failed requests become events too (5xx on a server, 4xx/5xx on a
  // client, any database error).
  bool error_events = true;
  // Request events a second at most; the rest are counted
  // (kscope_l7_events_suppressed_total). 0: no limit.
  uint32_t events_per_second = 100;
  bool operator==(const L7ProbeConfig&) const = default;
};

struct ProbesConfig {
  SyscallsProbeConfig syscalls;
  SchedProbeConfig sched;
  OffcpuProbeConfig offcpu;
  ProfileProbeConfig profile;
  TcpProbeConfig tcp;
  BlockProbeConfig block;
  ExitsProbeConfig exits;
  L7ProbeConfig l7;
  bool operator==(const ProbesConfig&) const = default;
};

// The loaded probes, as the registry (userspace/loader/) names them. A probe
// may serve more than one family of the probes: section (sched serves sched
// and offcpu, from one sched_switch handler).
inline const std::vector<std::string> kProbeNames = {"syscalls", "sched", "profile", "tcp", "block", "exits", "l7"};

// A family of the config's probes: section and whether the config enables it.
struct ProbeFamily {
  std::string name;
  bool enabled = false;
};
// Every family of `probes`, in the order of the probes: section (what
// `kscope check` and /api/v1/health list).
std::vector<ProbeFamily> probe_families(const ProbesConfig& probes);

// A ceiling on the CPU time kscope's own BPF programs take, measured with the
// kernel's per-program run-time statistics. Over it, kscope sheds work one
// step at a time — halves, then quarters the cpu-clock sampling rates, then
// detaches the most expensive probe not in `keep` — and undoes the steps,
// last first, once the cost has stayed under half the budget for
// restore_after (userspace/budget/).
struct BudgetConfig {
  double cpu_percent = 0;  // percent of one core; 0: no budget
  Nanos window = std::chrono::seconds(10);  // cost is averaged over this; one step per window
  Nanos restore_after = std::chrono::seconds(60);
  std::vector<std::string> keep = {"syscalls"};  // probes never detached
  // Measure kscope's BPF CPU time even without a budget. Off by default: the
  // kernel's run-time statistics cost every BPF program on the host two
  // clock reads per run (~100 ns per syscall with kscope's enter/exit pair).
  bool measure = false;
  bool operator==(const BudgetConfig&) const = default;
};

// The in-memory history behind the dashboard, `kscope top` and `kscope
// report`. Read at start (a reload keeps the running history).
struct HistoryConfig {
  Nanos retention = std::chrono::hours(1);
  uint32_t max_mib = 64;  // ceiling; a busy host past it loses its oldest frames first (counted)
  bool operator==(const HistoryConfig&) const = default;
};

// What a host and its cgroups run out of, read from the kernel's own files
// each interval (no BPF): userspace/host/ and userspace/cgroups/.
struct ResourcesConfig {
  // CPU time by mode, memory, pressure (PSI), load, filesystems, disks,
  // network interfaces, TCP states and listen-queue drops, from /proc and /sys.
  bool host = true;
  // Export the host's figures under node_exporter's names (node_cpu_seconds_total,
  // node_memory_MemAvailable_bytes, ...). false when node_exporter runs
  // beside kscope: kscope still reads them for its signals and rules.
  bool export_node_metrics = true;
  // Per-cgroup CPU usage and throttling, memory and its events, I/O and
  // pressure (cgroup v2, or the v1 controllers of a hybrid host).
  bool cgroups = true;
  // Cgroups read per interval, the busiest by CPU first; the rest are left
  // out (counted in kscope_cgroups_skipped).
  uint32_t max_cgroups = 500;
  bool operator==(const ResourcesConfig&) const = default;
};

struct Config {
  Nanos interval = std::chrono::seconds(1);
  std::string log_level = "info";
  Breakdown breakdown = Breakdown::kComm;
  uint32_t max_series = 200;       // breakdown values per metric; the rest fold into "other"
  Nanos series_ttl = std::chrono::minutes(5);
  bool strict = false;  // a probe that fails to load is fatal
  uint32_t filter_pid = 0;
  std::string filter_cgroup;  // a cgroup v2 path
  std::vector<double> latency_buckets_seconds;  // exported `le`; empty: the default set
  HttpConfig http;
  ExportConfig export_;  // `export:` (a keyword in C++)
  ProbesConfig probes;
  ResourcesConfig resources;
  BudgetConfig budget;
  HistoryConfig history;
  AlertsConfig alerts;
  bool operator==(const Config&) const = default;
};

// Parses YAML text. `file` names the source in messages. All errors are
// collected; the Error's message lists one per line as "file:line:col: field:
// what is wrong".
Result<Config> parse_config(const std::string& text, const std::string& file);

// Reads and parses a file.
Result<Config> load_config(const std::string& path);

// The embedded default config, as printed by --print-default-config.
std::string default_config_text();

}  // namespace kscope
