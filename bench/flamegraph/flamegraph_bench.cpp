// Flame graph render benchmark: generates a large folded profile and times
// parsing it and rendering it to SVG or pprof, with the peak memory.
//
//   flamegraph_bench generate OUT.folded [--lines N] [--seed S] [--shuffle]
//   flamegraph_bench svg|html|pprof|folded IN.folded OUT
//
// Each render runs in its own process (run.sh) so that peak RSS belongs to
// that render alone.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "flamegraph/flame_svg.h"
#include "flamegraph/folded.h"
#include "flamegraph/id_index.h"
#include "flamegraph/pprof_writer.h"

using namespace kscope;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

// Names that look like a C++/C service, libc, a JIT and the kernel.
std::vector<std::string> make_names(std::mt19937_64& rng, size_t n, const char* const* parts, size_t nparts,
                                    const char* suffix) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string s = parts[rng() % nparts];
    s += "_";
    s += parts[rng() % nparts];
    s += std::to_string(i);
    s += suffix;
    out.push_back(s);
  }
  return out;
}

int generate(const std::string& path, size_t lines, uint64_t seed, bool shuffle) {
  static const char* const kUser[] = {"http::Server::handle", "json::parse", "db::Query::run", "std::vector::push",
                                      "malloc", "memcpy", "Cache::lookup", "tls_read", "compress_block",
                                      "Scheduler::tick", "proto::decode", "hash_combine", "log::write",
                                      "Router::dispatch", "Pool::acquire", "str_format"};
  static const char* const kKernel[] = {"do_syscall_64", "ksys_read", "vfs_write", "tcp_sendmsg", "schedule",
                                        "futex_wait", "ep_poll", "copy_user", "page_fault", "ext4_file_read"};
  static const char* const kJit[] = {"LInterp;run", "Lcom/app/Handler;serve", "JIT_loop", "Lio/netty/Buf;read"};
  std::mt19937_64 rng(seed);
  auto user = make_names(rng, 3000, kUser, std::size(kUser), "");
  auto kernel = make_names(rng, 400, kKernel, std::size(kKernel), "");
  auto jit = make_names(rng, 300, kJit, std::size(kJit), "");
  const char* comms[] = {"nginx", "postgres", "java", "kworker/0:1", "redis-server", "envoy", "python3", "node"};

  Profile p;
  std::vector<FrameId> user_ids, kernel_ids, jit_ids, comm_ids;
  for (auto& n : user) user_ids.push_back(p.intern(n, ProfileFrameKind::kUser));
  for (auto& n : kernel) kernel_ids.push_back(p.intern(n, ProfileFrameKind::kKernel));
  for (auto& n : jit) jit_ids.push_back(p.intern(n, ProfileFrameKind::kJit));
  for (auto* c : comms) comm_ids.push_back(p.intern(c, ProfileFrameKind::kProcess));

  std::uniform_real_distribution<double> u01(0, 1);
  // A tree-shaped call graph: a node's callees come from a hash of the node,
  // few per node and skewed, so hot paths repeat and the tree shares deeply.
  // Most functions always call the same next function (fanout 1); some
  // dispatch to a handful; leaves and syscall paths vary the most.
  auto callee = [&](NodeId n, int depth, int remaining, const std::vector<FrameId>& pool) {
    uint64_t h = mix64(n, 0x51ED);
    int fanout = 1;
    if (h % 100 < 6 || remaining < 3) fanout = 2 + static_cast<int>((h >> 8) % 6);
    if (depth < 3) fanout = 4 + static_cast<int>((h >> 8) % 12);
    double x = u01(rng);
    auto k = static_cast<uint64_t>(fanout * x * x);
    return pool[mix64(h, k) % pool.size()];
  };
  size_t distinct = 0;
  while (distinct < lines) {
    // Depth 10..60, most around 25..35.
    int depth = 10 + static_cast<int>((u01(rng) + u01(rng) + u01(rng)) / 3 * 50);
    size_t comm = std::min<size_t>(std::size(comms) - 1, static_cast<size_t>(std::size(comms) * u01(rng) * u01(rng)));
    NodeId n = p.child(Profile::kRoot, comm_ids[comm]);
    bool java = comm == 2;
    int kernel_tail = u01(rng) < 0.35 ? 3 + static_cast<int>(rng() % 10) : 0;
    for (int d = 1; d < depth; ++d) {
      const auto& pool = d >= depth - kernel_tail ? kernel_ids : (java && d > 3 && d < depth - 8) ? jit_ids : user_ids;
      n = p.child(n, callee(n, d, depth - d, pool));
    }
    if (p.node(n).self == 0) ++distinct;
    double w = u01(rng);
    p.add_self(n, 1 + static_cast<uint64_t>(w * w * w * w * 200));
  }
  std::vector<std::string> out_lines;
  if (!shuffle) {
    Status st = write_output_file(path, [&](const Sink& out) { write_folded(p, out); });
    if (!st.ok()) return fprintf(stderr, "%s\n", st.error().to_string().c_str()), 1;
  } else {
    std::string all = collect_output([&](const Sink& out) { write_folded(p, out); });
    std::vector<std::string_view> ls;
    for (size_t pos = 0; pos < all.size();) {
      size_t nl = all.find('\n', pos);
      ls.push_back(std::string_view(all).substr(pos, nl + 1 - pos));
      pos = nl + 1;
    }
    std::shuffle(ls.begin(), ls.end(), rng);
    Status st = write_output_file(path, [&](const Sink& out) {
      for (auto l : ls) out(l);
    });
    if (!st.ok()) return fprintf(stderr, "%s\n", st.error().to_string().c_str()), 1;
  }
  printf("generated %zu stacks, %zu nodes, %zu frames, max depth %zu -> %s\n", p.stack_count(), p.node_count(),
         p.frame_count(), p.max_depth(), path.c_str());
  return 0;
}

int render(const std::string& mode, const std::string& in, const std::string& out_path) {
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_seconds();
  FoldedStats stats;
  auto p = read_folded_file(in, {}, &stats);
  if (!p.ok()) return fprintf(stderr, "%s\n", p.error().to_string().c_str()), 1;
  p->set_period_ns(10'101'010);
  double parse_s = seconds_since(t0), parse_cpu = cpu_seconds() - c0;
  auto t1 = std::chrono::steady_clock::now();
  double c1 = cpu_seconds();
  Status st = write_output_file(out_path, [&](const Sink& out) {
    if (mode == "svg") write_flame_graph(*p, {}, FlameFormat::kSvg, out);
    if (mode == "html") write_flame_graph(*p, {}, FlameFormat::kHtml, out);
    if (mode == "pprof") write_pprof(*p, out);
    if (mode == "folded") write_folded(*p, out);
  });
  if (!st.ok()) return fprintf(stderr, "%s\n", st.error().to_string().c_str()), 1;
  double render_s = seconds_since(t1), render_cpu = cpu_seconds() - c1;
  printf("%-6s lines=%llu stacks=%zu nodes=%zu | wall: parse=%.3fs render=%.3fs total=%.3fs | "
         "cpu: parse=%.3fs render=%.3fs total=%.3fs | peak_rss=%ldMiB\n",
         mode.c_str(), static_cast<unsigned long long>(stats.lines), p->stack_count(), p->node_count(), parse_s,
         render_s, seconds_since(t0), parse_cpu, render_cpu, cpu_seconds() - c0, peak_rss_mib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "generate") == 0) {
    size_t lines = 1'000'000;
    uint64_t seed = 1;
    bool shuffle = false;
    for (int i = 3; i < argc; ++i) {
      if (!std::strcmp(argv[i], "--lines") && i + 1 < argc) lines = std::stoull(argv[++i]);
      else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) seed = std::stoull(argv[++i]);
      else if (!std::strcmp(argv[i], "--shuffle")) shuffle = true;
    }
    return generate(argv[2], lines, seed, shuffle);
  }
  if (argc == 4) return render(argv[1], argv[2], argv[3]);
  fprintf(stderr, "usage: %s generate OUT [--lines N] [--seed S] [--shuffle]\n"
                  "       %s svg|html|pprof|folded IN.folded OUT\n", argv[0], argv[0]);
  return 2;
}
