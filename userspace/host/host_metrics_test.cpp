#include "host/host_metrics.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "export/prometheus.h"
#include "host/meminfo.h"
#include "common/file_read.h"

namespace kscope {
namespace {

const Family* find(const std::vector<Family>& fs, const std::string& name) {
  for (const auto& f : fs) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// Against this machine's own /proc: the families are there and agree with
// the files.
TEST(HostMetrics, ReadsThisMachinesProc) {
  std::vector<Family> out;
  HostMetrics host;
  host.append(out);
  const Family* cpu = find(out, "node_cpu_seconds_total");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->type, MetricType::kCounter);
  EXPECT_EQ(cpu->series.size(), size_t(sysconf(_SC_NPROCESSORS_CONF)) * 8);
  for (const char* name : {"node_context_switches_total", "node_boot_time_seconds", "node_procs_running",
                           "node_load1", "node_load15", "node_memory_MemAvailable_bytes", "node_vmstat_oom_kill",
                           "node_network_receive_bytes_total", "node_tcp_connection_states",
                           "node_netstat_Tcp_RetransSegs", "node_netstat_TcpExt_ListenDrops",
                           "node_filesystem_avail_bytes", "kscope_host_series_dropped_total"}) {
    EXPECT_NE(find(out, name), nullptr) << name;
  }
  auto meminfo = read_file_bounded("/proc/meminfo", 1 << 20);
  ASSERT_TRUE(meminfo);
  double total = 0;
  for (const auto& f : host::parse_meminfo(*meminfo)) {
    if (f.name == "MemTotal_bytes") total = f.value;
  }
  const Family* mem = find(out, "node_memory_MemTotal_bytes");
  ASSERT_NE(mem, nullptr);
  EXPECT_EQ(mem->series[0].value, total);
  // The root filesystem has a size, and "/" is among the mount points.
  const Family* size = find(out, "node_filesystem_size_bytes");
  ASSERT_NE(size, nullptr);
  bool root = false;
  for (const auto& s : size->series) root = root || (*s.label("mountpoint") == "/" && s.value > 0);
  EXPECT_TRUE(root);
  // No family twice (the exposition would be invalid).
  for (size_t i = 0; i < out.size(); ++i) {
    for (size_t j = i + 1; j < out.size(); ++j) EXPECT_NE(out[i].name, out[j].name);
  }
}

// A procfs of our own: a mount point with a space, a newline and quotes
// (escaped by the kernel as \040, \012) reaches the label decoded, and the
// exposition escapes it again; a mount point statvfs cannot reach is a
// device_error with the reason.
TEST(HostMetrics, HostileMountPointsSurviveIntoTheExposition) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("kscope_host_test_" + std::to_string(getpid()));
  fs::path odd = root / "a b\n\"c\"";
  fs::create_directories(root / "proc" / "self");
  fs::create_directories(odd);
  std::string escaped = (root / "a\\040b\\012\"c\"").string();
  std::ofstream(root / "proc" / "self" / "mounts") << "/dev/odd " << escaped << " ext4 ro 0 0\n"
                                                   << "/dev/gone /no/such\\040place xfs rw 0 0\n";
  std::vector<Family> out;
  HostMetrics(root / "proc").append(out);
  const Family* size = find(out, "node_filesystem_size_bytes");
  ASSERT_NE(size, nullptr);
  ASSERT_EQ(size->series.size(), 1u);
  EXPECT_EQ(*size->series[0].label("mountpoint"), odd.string());
  const Family* ro = find(out, "node_filesystem_readonly");
  ASSERT_NE(ro, nullptr);
  ASSERT_EQ(ro->series.size(), 2u);
  EXPECT_EQ(ro->series[0].value, 1);
  const Family* err = find(out, "node_filesystem_device_error");
  ASSERT_NE(err, nullptr);
  ASSERT_EQ(err->series.size(), 2u);
  EXPECT_EQ(err->series[0].value, 0);
  EXPECT_EQ(err->series[1].value, 1);
  EXPECT_EQ(*err->series[1].label("mountpoint"), "/no/such place");
  ASSERT_NE(err->series[1].label("device_error"), nullptr);
  EXPECT_EQ(*err->series[1].label("device_error"), "No such file or directory");

  std::string text = render_prometheus({size}, default_le_seconds());
  EXPECT_NE(text.find("mountpoint=\"" + root.string() + "/a b\\n\\\"c\\\"\""), std::string::npos) << text;
  // Families whose files this fake procfs lacks are left out, not zero.
  EXPECT_EQ(find(out, "node_cpu_seconds_total"), nullptr);
  EXPECT_EQ(find(out, "node_load1"), nullptr);
  fs::remove_all(root);
}

double value_of(const std::vector<Family>& fs, const std::string& name) {
  const Family* f = find(fs, name);
  return f != nullptr && f->series.size() == 1 ? f->series[0].value : -1;
}

const Series* series_at(const std::vector<Family>& fs, const std::string& name, const std::string& mountpoint) {
  const Family* f = find(fs, name);
  if (f == nullptr) return nullptr;
  for (const auto& s : f->series) {
    if (*s.label("mountpoint") == mountpoint) return &s;
  }
  return nullptr;
}

// A mount whose statvfs hangs (an NFS server gone, a FUSE daemon stopped):
// append returns within the deadline, every other family is there, the mount
// is a device_error "mountpoint timeout" without sizes, and once its call
// returns it has sizes again.
TEST(HostMetrics, AHungFilesystemDoesNotStopTheInterval) {
  using namespace std::chrono_literals;
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("kscope_host_hung_" + std::to_string(getpid()));
  fs::create_directories(root / "proc" / "self");
  fs::create_directories(root / "fast");
  fs::create_directories(root / "hung");
  const std::string fast = (root / "fast").string(), hung = (root / "hung").string();
  std::ofstream(root / "proc" / "self" / "mounts") << "/dev/fast " << fast << " ext4 rw 0 0\n"
                                                   << "server:/export " << hung << " nfs4 rw 0 0\n";
  std::ofstream(root / "proc" / "loadavg") << "0.10 0.20 0.30 1/100 42\n";
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
  };
  auto gate = std::make_shared<Gate>();
  host::StatvfsOptions opts;
  opts.deadline = 300ms;
  opts.statvfs = [gate, hung](const std::string& path, struct statvfs& st) {
    if (path == hung) {
      std::unique_lock lk(gate->mu);
      gate->cv.wait(lk, [&] { return gate->open; });
    }
    return host::real_statvfs(path, st);
  };
  HostMetrics host((root / "proc").string(), opts);

  for (int interval = 0; interval < 3; ++interval) {
    std::vector<Family> out;
    auto t0 = std::chrono::steady_clock::now();
    host.append(out);
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, interval == 0 ? 1300ms : 250ms) << "interval " << interval;
    EXPECT_EQ(value_of(out, "node_load1"), 0.10);
    ASSERT_NE(series_at(out, "node_filesystem_size_bytes", fast), nullptr);
    EXPECT_EQ(series_at(out, "node_filesystem_size_bytes", hung), nullptr);
    EXPECT_EQ(series_at(out, "node_filesystem_avail_bytes", hung), nullptr);
    const Series* err = series_at(out, "node_filesystem_device_error", hung);
    ASSERT_NE(err, nullptr);
    EXPECT_EQ(err->value, 1);
    ASSERT_NE(err->label("device_error"), nullptr);
    EXPECT_EQ(*err->label("device_error"), "mountpoint timeout");
    EXPECT_EQ(*err->label("device"), "server:/export");
    EXPECT_EQ(*err->label("fstype"), "nfs4");
    ASSERT_NE(series_at(out, "node_filesystem_readonly", hung), nullptr);
    EXPECT_EQ(series_at(out, "node_filesystem_device_error", fast)->value, 0);
    EXPECT_EQ(value_of(out, "kscope_host_filesystems_stuck"), 1);
    EXPECT_EQ(value_of(out, "kscope_host_filesystem_stuck_total"), 1);
  }

  {
    std::lock_guard lk(gate->mu);
    gate->open = true;
  }
  gate->cv.notify_all();
  std::vector<Family> out;
  for (auto end = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < end;) {
    out.clear();
    host.append(out);
    if (value_of(out, "kscope_host_filesystems_stuck") == 0) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(value_of(out, "kscope_host_filesystems_stuck"), 0);
  // The next interval calls it again.
  out.clear();
  host.append(out);
  const Series* size = series_at(out, "node_filesystem_size_bytes", hung);
  ASSERT_NE(size, nullptr);
  EXPECT_GT(size->value, 0);
  EXPECT_EQ(series_at(out, "node_filesystem_device_error", hung)->label("device_error"), nullptr);
  EXPECT_EQ(value_of(out, "kscope_host_filesystem_stuck_total"), 1);
  fs::remove_all(root);
}

TEST(HostSources, SaysWhatIsMissingAndWhy) {
  auto here = host_sources();
  ASSERT_FALSE(here.empty());
  for (const auto& s : here) {
    if (s.name == "stat" || s.name == "meminfo") {
      EXPECT_TRUE(s.available) << s.name << ": " << s.detail;
    }
  }
  auto none = host_sources("/nonexistent-proc");
  for (const auto& s : none) {
    EXPECT_FALSE(s.available) << s.name;
    EXPECT_NE(s.detail.find("/nonexistent-proc"), std::string::npos) << s.detail;
    if (s.name == "pressure") {
      EXPECT_NE(s.detail.find("CONFIG_PSI"), std::string::npos) << s.detail;
    }
  }
}

}  // namespace
}  // namespace kscope
