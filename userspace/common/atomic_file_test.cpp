#include "common/atomic_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace kscope {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Content that is recognisably whole: one repeated letter, a known length.
std::string body(char letter, size_t bytes) { return std::string(bytes, letter); }

bool whole(const std::string& s, size_t bytes) {
  return s.size() == bytes && s.find_first_not_of(s.empty() ? 'x' : s[0]) == std::string::npos;
}

// Runs each test for the unnamed (O_TMPFILE) file and the named fallback.
class AtomicFileTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("kscope_atomic_file_" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / "out.svg").string();
  }
  void TearDown() override { fs::remove_all(dir); }
  bool unnamed() const { return GetParam(); }

  fs::path dir;
  std::string path;
};

TEST_P(AtomicFileTest, CommitPublishesTheWholeFileAndNothingElse) {
  auto f = AtomicFile::create(path, 0644, unnamed());
  ASSERT_TRUE(f) << f.error().to_string();
  for (int i = 0; i < 64; ++i) ASSERT_TRUE(f->write(body('a', 64 << 10)));
  // Not visible before the commit.
  EXPECT_FALSE(fs::exists(path));
  ASSERT_TRUE(f->commit());
  EXPECT_TRUE(whole(read_file(path), 64 * (64 << 10)));
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"out.svg"});
  EXPECT_FALSE(f->write("late"));
}

TEST_P(AtomicFileTest, ReplacesAnExistingFile) {
  ASSERT_TRUE(write_file_atomically(path, "old"));
  auto f = AtomicFile::create(path, 0644, unnamed());
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->write("new"));
  EXPECT_EQ(read_file(path), "old");  // the old one stays until the commit
  ASSERT_TRUE(f->commit());
  EXPECT_EQ(read_file(path), "new");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"out.svg"});
}

TEST_P(AtomicFileTest, AbandonedFileLeavesTheOldOneAndNoTemporary) {
  ASSERT_TRUE(write_file_atomically(path, "old"));
  {
    auto f = AtomicFile::create(path, 0644, unnamed());
    ASSERT_TRUE(f);
    ASSERT_TRUE(f->write(body('b', 1 << 20)));
  }  // destroyed without commit: an error or exception midway
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"out.svg"});
}

TEST_P(AtomicFileTest, PermissionsFollowModeAndUmask) {
  mode_t old = ::umask(022);
  ASSERT_TRUE(write_file_atomically(path, "x", 0666));
  ::umask(old);
  EXPECT_EQ(fs::status(path).permissions(), fs::perms(0644));
}

TEST_P(AtomicFileTest, MissingDirectoryIsAClearError) {
  auto f = AtomicFile::create((dir / "nope" / "x.svg").string(), 0644, unnamed());
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().to_string().find("nope/x.svg"), std::string::npos) << f.error().to_string();
  EXPECT_EQ(f.error().errno_value(), ENOENT);
}

// Writers racing on one path (two `kscope profile -o same.svg`, or a capture
// and a person): each publishes a whole file, readers only ever see whole
// files, and no temporary name survives.
TEST_P(AtomicFileTest, ConcurrentWritersEachLeaveACompleteFile) {
  constexpr size_t kBytes = 300 << 10;
  constexpr int kWriters = 6, kRounds = 15;
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::thread reader([&] {
    while (!done) {
      std::ifstream in(path, std::ios::binary);
      if (!in) continue;  // not there yet
      std::stringstream ss;
      ss << in.rdbuf();
      std::string s = ss.str();
      ++reads;
      if (!whole(s, kBytes)) ++torn;
    }
  });
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int r = 0; r < kRounds; ++r) {
        auto f = AtomicFile::create(path, 0644, unnamed());
        // Written in pieces, so the writers interleave.
        bool ok = static_cast<bool>(f);
        for (int piece = 0; ok && piece < 3; ++piece) ok = static_cast<bool>(f->write(body('a' + w, kBytes / 3)));
        if (!ok || !f->commit()) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(torn, 0) << "of " << reads << " reads";
  EXPECT_GT(reads, 0);
  EXPECT_TRUE(whole(read_file(path), kBytes));
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"out.svg"});
}

// SIGKILL while a file is being written: with O_TMPFILE the kernel drops the
// unnamed file, so neither a partial file nor a temporary one is left.
TEST_P(AtomicFileTest, SigkillMidwayLeavesNothing) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto f = AtomicFile::create(path, 0644, unnamed());
    if (!f || !f->write(body('c', 1 << 20))) ::_exit(2);
    (void)!::write(ready[1], "r", 1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(fs::exists(path));
  if (unnamed()) {
    EXPECT_TRUE(names_in(dir).empty());
  } else {
    // The named fallback cannot help it: its one leftover is hidden, beside
    // the target, and says what it is.
    auto left = names_in(dir);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].rfind(".out.svg.tmp-", 0), 0u) << left[0];
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, AtomicFileTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Unnamed" : "NamedFallback"; });

TEST(AtomicFile, RelativePathInTheCurrentDirectory) {
  fs::path dir = fs::temp_directory_path() / ("kscope_atomic_rel_" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto cwd = fs::current_path();
  fs::current_path(dir);
  ASSERT_TRUE(write_file_atomically("rel.folded", "a;b 1\n"));
  ASSERT_TRUE(write_file_atomically("rel.folded", "a;b 2\n"));  // replace, through a hidden name
  fs::current_path(cwd);
  EXPECT_EQ(read_file(dir / "rel.folded"), "a;b 2\n");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"rel.folded"});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kscope
