// Time per interval of the host's /proc reading (HostMetrics::append: every
// node_* family): on this machine's /proc, then on a synthetic procfs the
// size of a busy container host (the real small files, plus 256 mounts, 256
// disks, 256 interfaces and 50,000 TCP sockets). Prints the first call's
// time (it reads /proc/net/tcp{,6}, which later calls re-read only every 1 to
// 30 s), then p50/p99/max in microseconds, and the series produced.
//   build/bench/host_bench [calls]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/host_metrics.h"

namespace {

void run(const char* what, kscope::HostMetrics& host, int calls) {
  std::vector<double> us;
  double first = 0;  // the TCP states are read then, and every 1-30 s after
  size_t series = 0;
  std::vector<kscope::Family> out;
  for (int i = 0; i < calls; ++i) {
    out.clear();
    auto t0 = std::chrono::steady_clock::now();
    host.append(out);
    auto t1 = std::chrono::steady_clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    if (i == 0) first = us.back();
    series = 0;
    for (const auto& f : out) series += f.series.size();
  }
  std::sort(us.begin(), us.end());
  std::printf("%-34s %5zu series  first (with TCP states) %6.0f us, then p50 %5.0f us  p99 %6.0f us  max %6.0f us  "
              "(%d calls)\n",
              what, series, first, us[us.size() / 2], us[us.size() * 99 / 100], us.back(), calls);
}

void copy(const std::filesystem::path& root, const char* rel) {
  std::ifstream in(std::string("/proc/") + rel);
  std::ofstream(root / rel) << in.rdbuf();
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  int calls = argc > 1 ? std::atoi(argv[1]) : 500;
  kscope::HostMetrics real;
  run("this machine's /proc", real, calls);

  fs::path root = fs::temp_directory_path() / ("kscope_host_bench_" + std::to_string(getpid()));
  for (const char* d : {"self", "net", "pressure"}) fs::create_directories(root / d);
  for (const char* f : {"stat", "meminfo", "loadavg", "vmstat", "net/netstat", "net/snmp", "net/snmp6",
                        "pressure/cpu", "pressure/io", "pressure/memory"}) {
    copy(root, f);
  }
  {
    std::ofstream m(root / "self/mounts"), d(root / "diskstats"), n(root / "net/dev"), t(root / "net/tcp");
    m << "/dev/vda / ext4 rw,relatime 0 0\n";
    for (int i = 0; i < 255; ++i) m << "/dev/mapper/c" << i << " / xfs rw 0 0\n";  // statvfs on a real path
    for (int i = 0; i < 1000; ++i) m << "overlay /var/lib/docker/overlay2/" << i << "/merged overlay rw 0 0\n";
    for (int i = 0; i < 256; ++i) d << " 253 " << i << " dm-" << i << " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n";
    n << "Inter-|   Receive\n face |bytes\n";
    for (int i = 0; i < 256; ++i) n << " veth" << i << ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
    t << "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    for (int i = 0; i < 50000; ++i) {
      t << "   " << i << ": 0100007F:1F90 0100007F:C350 " << (i % 10 ? "01" : "06")
        << " 00000000:00000000 00:00000000 00000000     0        0 " << 100000 + i
        << " 1 0000000000000000 20 4 30 10 -1\n";
    }
  }
  kscope::HostMetrics large(root.string());
  run("256 mounts/disks/ifaces, 50k tcp", large, std::max(1, calls / 5));
  fs::remove_all(root);
  return 0;
}
