#include "alerts/capture.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace kscope {
namespace {

namespace fs = std::filesystem;

// Writes the two flame graphs of a given size, or fails; can be held open
// to keep a capture running.
class FakeCapturer : public ProfileCapturer {
 public:
  Result<CaptureResult> capture(const CaptureTarget& target, Nanos duration, const std::string& dir,
                                const std::atomic<bool>& stop) override {
    std::unique_lock lock(mu);
    cv.wait(lock, [this] { return !hold; });
    ++calls;
    last_target = target;
    last_duration = duration;
    if (fail) return Error("engine broke");
    // Like the real engine: record until the duration is up or stop is set.
    auto t0 = std::chrono::steady_clock::now();
    while (record && !stop && std::chrono::steady_clock::now() - t0 < duration) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      lock.lock();
    }
    for (const char* f : {kCaptureCpuFile, kCaptureOffcpuFile}) {
      std::ofstream(fs::path(dir) / f) << std::string(bytes, 'x');
    }
    CaptureResult r{{kCaptureCpuFile, kCaptureOffcpuFile}};
    r.recorded = std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now() - t0);
    r.stopped_early = record && stop && r.recorded < duration;
    return r;
  }
  void release() {
    std::lock_guard lock(mu);
    hold = false;
    cv.notify_all();
  }
  std::mutex mu;
  std::condition_variable cv;
  bool hold = false;
  bool fail = false;
  bool record = false;  // take the duration (until stopped) instead of returning at once
  size_t bytes = 1000;
  int calls = 0;
  CaptureTarget last_target;
  Nanos last_duration{};
};

class CaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("kscope_capture_test_" + std::to_string(getpid()));
    fs::remove_all(dir);
    config.dir = dir.string();
  }
  void TearDown() override { fs::remove_all(dir); }
  WallTime at(int s) { return std::chrono::system_clock::from_time_t(1800000000 + s); }

  fs::path dir;
  CaptureConfig config;
  std::shared_ptr<FakeCapturer> fake = std::make_shared<FakeCapturer>();
};

TEST_F(CaptureTest, WritesFilesAndLinksThem) {
  CaptureManager m(config, fake, "http://k:9494/api/v1/captures");
  auto links = m.start("SlowDisk", {"comm", "postgres"}, std::chrono::seconds(30), at(0));
  ASSERT_TRUE(links);
  const std::string id = "20270115T080000Z-SlowDisk-1";
  EXPECT_THAT(*links, ::testing::ElementsAre(
                          ::testing::Pair("capture", "http://k:9494/api/v1/captures/" + id),
                          ::testing::Pair("capture_cpu", "http://k:9494/api/v1/captures/" + id + "/cpu.svg"),
                          ::testing::Pair("capture_offcpu", "http://k:9494/api/v1/captures/" + id + "/offcpu.svg")));
  m.wait();
  EXPECT_EQ(fake->last_target.value, "postgres");
  EXPECT_EQ(fake->last_duration, std::chrono::seconds(30));
  auto info = m.find(id);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, "done");
  EXPECT_EQ(info->files, (std::vector<std::string>{"cpu.svg", "offcpu.svg"}));
  EXPECT_TRUE(m.file_path(id, "cpu.svg"));
  EXPECT_FALSE(m.file_path(id, "../../etc/passwd"));
  EXPECT_FALSE(m.file_path("..", "cpu.svg"));
  EXPECT_TRUE(fs::exists(dir / id / "capture.json"));
  EXPECT_EQ(m.counts().done, 1u);
}

TEST_F(CaptureTest, OneAtATime) {
  fake->hold = true;
  CaptureManager m(config, fake, "http://k/api/v1/captures");
  ASSERT_TRUE(m.start("A", {}, std::chrono::seconds(1), at(0)));
  EXPECT_FALSE(m.start("B", {}, std::chrono::seconds(1), at(1)));
  EXPECT_EQ(m.counts().busy, 1u);
  fake->release();
  m.wait();
  EXPECT_TRUE(m.start("C", {}, std::chrono::seconds(1), at(2)));
  m.wait();
  EXPECT_EQ(fake->calls, 2);
}

TEST_F(CaptureTest, KeepsAtMostMaxCountAndMaxBytesOldestFirst) {
  config.max_count = 3;
  config.max_bytes = 5000;  // each capture is 2 x 1000 bytes plus its capture.json
  CaptureManager m(config, fake, "http://k/api/v1/captures");
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(m.start("R", {}, std::chrono::seconds(1), at(i)));
    m.wait();
  }
  auto list = m.list();
  ASSERT_EQ(list.size(), 2u);  // bytes bind before count: 3 x ~2.2 KB > 5000
  EXPECT_EQ(list[0].id, "20270115T080004Z-R-5");
  EXPECT_EQ(list[1].id, "20270115T080003Z-R-4");
  int dirs = 0;
  for (const auto& e : fs::directory_iterator(dir)) dirs += e.is_directory();
  EXPECT_EQ(dirs, 2);
}

TEST_F(CaptureTest, FailureIsRecordedAndSurvivesRestart) {
  fake->fail = true;
  {
    CaptureManager m(config, fake, "http://k/api/v1/captures");
    ASSERT_TRUE(m.start("R", {"comm", "x"}, std::chrono::seconds(1), at(0)));
    m.wait();
    EXPECT_EQ(m.counts().failed, 1u);
  }
  CaptureManager again(config, fake, "http://k/api/v1/captures");
  auto list = again.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].status, "failed");
  EXPECT_THAT(list[0].error, ::testing::HasSubstr("engine broke"));
}

// Shutdown while a 30 s capture runs: stop() returns within moments, the
// capture keeps what it recorded and says so, and no new one starts.
TEST_F(CaptureTest, StopEndsARunningCaptureAndKeepsWhatItRecorded) {
  fake->record = true;
  std::string id;
  {
    CaptureManager m(config, fake, "http://k/api/v1/captures");
    ASSERT_TRUE(m.start("R", {"comm", "x"}, std::chrono::seconds(30), at(0)));
    id = m.list().at(0).id;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto t0 = std::chrono::steady_clock::now();
    m.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    auto info = m.find(id);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->status, "stopped");
    EXPECT_THAT(info->error, ::testing::MatchesRegex("kscope stopped after [0-9]+\\.[0-9] s of the 30 s capture.*"));
    EXPECT_EQ(info->files, (std::vector<std::string>{"cpu.svg", "offcpu.svg"}));
    EXPECT_FALSE(m.start("Later", {}, std::chrono::seconds(1), at(1)));
    EXPECT_EQ(fake->calls, 1);
  }
  std::ifstream in(dir / id / "capture.json");
  auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["status"], "stopped");
  CaptureManager again(config, fake, "http://k/api/v1/captures");
  EXPECT_EQ(again.find(id)->status, "stopped");
}

// The destructor is the shutdown path `kscope run` takes: it must not wait
// out the capture.
TEST_F(CaptureTest, DestructorDoesNotWaitOutTheCapture) {
  fake->record = true;
  auto t0 = std::chrono::steady_clock::now();
  {
    CaptureManager m(config, fake, "http://k/api/v1/captures");
    ASSERT_TRUE(m.start("R", {}, std::chrono::seconds(60), at(0)));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

// capture.json left at "running" (kscope was killed mid-capture) reads as
// failed at the next start, with the whole files it has.
TEST_F(CaptureTest, CaptureLeftRunningByAKillReadsAsFailed) {
  const std::string id = "20270115T080000Z-R-1";
  fs::create_directories(dir / id);
  std::ofstream(dir / id / "capture.json") << R"({"id": ")" << id << R"(", "rule": "R", "status": "running"})";
  std::ofstream(dir / id / "cpu.svg") << "<svg/>";
  CaptureManager m(config, fake, "http://k/api/v1/captures");
  auto info = m.find(id);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, "failed");
  EXPECT_EQ(info->error, "kscope ended during the capture");
  EXPECT_EQ(info->files, std::vector<std::string>{"cpu.svg"});
}

}  // namespace
}  // namespace kscope
