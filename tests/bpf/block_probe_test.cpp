// Block I/O against the kernel's own counters: a loop device on a file,
// direct reads and writes of known sizes with dd, and /proc/diskstats'
// completed requests and sectors for that device before and after.
#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "bpf_test_support.h"
#include "probes/block_probe.h"

namespace kscope {
namespace {

std::string run_output(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[256];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

struct DiskStats {
  uint64_t reads = 0, read_sectors = 0, writes = 0, write_sectors = 0;
};

// The device's line of /proc/diskstats: reads completed (field 4), sectors
// read (6), writes completed (8), sectors written (10).
DiskStats diskstats(const std::string& name) {
  std::ifstream f("/proc/diskstats");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    unsigned major = 0, minor = 0;
    std::string dev;
    DiskStats s;
    uint64_t merged = 0, ms = 0;
    in >> major >> minor >> dev >> s.reads >> merged >> s.read_sectors >> ms >> s.writes >> merged >> s.write_sectors;
    if (dev == name) return s;
  }
  return {};
}

// A loop device over a sparse file, detached when the test ends.
struct LoopDevice {
  std::string file, dev, name;
  LoopDevice() {
    file = std::filesystem::temp_directory_path() / ("kscope-block-" + std::to_string(getpid()) + ".img");
    { std::ofstream(file).flush(); }
    std::filesystem::resize_file(file, 64u << 20);
    dev = run_output("losetup -f --show " + file + " 2>/dev/null");
    if (dev.rfind("/dev/", 0) == 0) name = dev.substr(5);
  }
  ~LoopDevice() {
    if (!dev.empty()) run_output("losetup -d " + dev);
    std::filesystem::remove(file);
  }
};

// The block probe started with the default config (breakdown: comm), and
// its families read on demand. udev may still be probing a new loop device
// when the test starts: the first read waits for it to finish, so counts
// start from the same moment as the test's.
struct BlockRun {
  Config cfg;
  std::unique_ptr<Probe> probe = make_block_probe();
  Status status = probe->start(cfg);
  BlockRun() {
    EXPECT_TRUE(status.ok()) << status.error().to_string();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  bool started() const { return status.ok(); }
  std::vector<Family> collect() {
    std::vector<Family> out;
    CollectContext ctx{cfg, out};
    probe->collect(ctx);
    return out;
  }
};

uint64_t count_of(const std::vector<Family>& families, const std::string& dev, const std::string& op) {
  const Series* s = testing::find_series(families, "kscope_block_io_latency_seconds", {{"device", dev}, {"op", op}});
  return s != nullptr && s->histogram ? s->histogram->count() : 0;
}

double bytes_of(const std::vector<Family>& families, const std::string& dev, const std::string& op) {
  const Series* s = testing::find_series(families, "kscope_block_io_bytes_total", {{"device", dev}, {"op", op}});
  return s != nullptr ? s->value : 0;
}

TEST(BlockProbeTest, RequestsAndBytesEqualDiskstatsForALoopDevice) {
  KSCOPE_REQUIRE_BPF();
  LoopDevice loop;
  if (loop.name.empty()) GTEST_SKIP() << "no loop device here (losetup failed)";
  BlockRun run;
  ASSERT_TRUE(run.started());
  auto collect = [&] { return run.collect(); };
  auto before = collect();
  DiskStats d0 = diskstats(loop.name);

  ASSERT_EQ(system(("dd if=/dev/zero of=" + loop.dev + " bs=4k count=300 oflag=direct status=none").c_str()), 0);
  ASSERT_EQ(system(("dd if=" + loop.dev + " of=/dev/null bs=16k count=70 iflag=direct status=none").c_str()), 0);

  DiskStats d1 = diskstats(loop.name);
  auto after = collect();
  const uint64_t writes = d1.writes - d0.writes, reads = d1.reads - d0.reads;
  EXPECT_GE(writes, 300u) << "dd's direct writes reach the device one request each (or more)";
  EXPECT_GE(reads, 70u);
  EXPECT_EQ(count_of(after, loop.name, "write") - count_of(before, loop.name, "write"), writes);
  EXPECT_EQ(count_of(after, loop.name, "read") - count_of(before, loop.name, "read"), reads);
  EXPECT_DOUBLE_EQ(bytes_of(after, loop.name, "write") - bytes_of(before, loop.name, "write"),
                   double(d1.write_sectors - d0.write_sectors) * 512);
  EXPECT_DOUBLE_EQ(bytes_of(after, loop.name, "read") - bytes_of(before, loop.name, "read"),
                   double(d1.read_sectors - d0.read_sectors) * 512);
  const Series* w =
      testing::find_series(after, "kscope_block_io_latency_seconds", {{"device", loop.name}, {"op", "write"}});
  ASSERT_NE(w, nullptr);
  // A 4 KiB write to a file-backed loop device: microseconds to
  // milliseconds, never nothing and never seconds.
  EXPECT_GT(w->histogram->quantile_seconds(0.5), 1e-6);
  EXPECT_LT(w->histogram->quantile_seconds(0.5), 0.5);
  auto ovf = testing::overflows_by_map(*run.probe);
  EXPECT_EQ(ovf["block_start"] + ovf["block_latency"], 0u);
}

const Histogram* hist_of(const std::vector<Family>& families, const std::string& name, const std::string& dev,
                        const std::string& op) {
  const Series* s = testing::find_series(families, name, {{"device", dev}, {"op", op}});
  return s != nullptr && s->histogram ? &*s->histogram : nullptr;
}

Histogram hist_delta(const std::vector<Family>& before, const std::vector<Family>& after, const std::string& name,
                     const std::string& dev, const std::string& op) {
  const Histogram* b = hist_of(before, name, dev, op);
  const Histogram* a = hist_of(after, name, dev, op);
  if (a == nullptr) return {};
  return b == nullptr ? *a : a->delta_since(*b);
}

double target_requests(const std::vector<Family>& families, const std::string& dev, const std::string& op,
                       const std::string& comm) {
  const Series* s = testing::find_series(families, "kscope_block_io_target_requests_total",
                                         {{"device", dev}, {"op", op}, {"comm", comm}});
  return s != nullptr ? s->value : 0;
}

// Request sizes land at their own power-of-two `le`; with an I/O scheduler
// every request has a start time in the block layer, so a queue time;
// direct I/O is counted for the process that issued it.
TEST(BlockProbeTest, SizesQueueTimeAndTheIssuingProcess) {
  KSCOPE_REQUIRE_BPF();
  LoopDevice loop;
  if (loop.name.empty()) GTEST_SKIP() << "no loop device here (losetup failed)";
  const std::string sched = "/sys/block/" + loop.name + "/queue/scheduler";
  if (!(std::ofstream(sched) << "mq-deadline").flush()) GTEST_SKIP() << "no mq-deadline scheduler for " << sched;
  BlockRun run;
  ASSERT_TRUE(run.started());
  auto collect = [&] { return run.collect(); };
  auto before = collect();
  DiskStats d0 = diskstats(loop.name);
  // A copy of dd with its own name, so no other dd on the host is counted.
  const std::string dd = std::filesystem::temp_directory_path() / "kscope-ddblk";
  std::filesystem::copy_file("/bin/dd", dd, std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(system((dd + " if=/dev/zero of=" + loop.dev + " bs=4k count=200 oflag=direct status=none").c_str()), 0);
  ASSERT_EQ(system((dd + " if=" + loop.dev + " of=/dev/null bs=16k count=50 iflag=direct status=none").c_str()), 0);
  DiskStats d1 = diskstats(loop.name);
  auto after = collect();
  std::filesystem::remove(dd);
  const uint64_t writes = d1.writes - d0.writes;

  Histogram wsize = hist_delta(before, after, "kscope_block_io_size_bytes", loop.name, "write");
  EXPECT_EQ(wsize.count(), writes);
  EXPECT_DOUBLE_EQ(std::round(wsize.sum_seconds * 1e9), double(d1.write_sectors - d0.write_sectors) * 512);
  // Every 4 KiB write is counted at or below 4096 bytes and above 2048.
  EXPECT_EQ(wsize.count_below_ns(4096), double(writes));
  EXPECT_EQ(wsize.count_below_ns(2048), 0);
  Histogram rsize = hist_delta(before, after, "kscope_block_io_size_bytes", loop.name, "read");
  EXPECT_GE(rsize.count_below_ns(16384) - rsize.count_below_ns(8192), 50);

  // mq-deadline: every request passes the scheduler, stamped at its start.
  Histogram wqueue = hist_delta(before, after, "kscope_block_io_queue_seconds", loop.name, "write");
  EXPECT_EQ(wqueue.count(), writes);
  EXPECT_LT(wqueue.quantile_seconds(0.5), 0.5);

  const char* name = "kscope-ddblk";
  EXPECT_EQ(target_requests(after, loop.name, "write", name) - target_requests(before, loop.name, "write", name),
            200);
  EXPECT_EQ(target_requests(after, loop.name, "read", name) - target_requests(before, loop.name, "read", name), 50);
  auto ovf = testing::overflows_by_map(*run.probe);
  EXPECT_EQ(ovf["block_start"] + ovf["block_latency"] + ovf["block_targets"], 0u);
}

}  // namespace
}  // namespace kscope
