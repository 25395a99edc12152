// The symbolizer on processes that see other files than the host: one in a
// chroot, one in a private mount namespace. Their binary is at a path that
// does not exist on the host, so only /proc/PID/root can name their frames.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "symbolize/symbolizer.h"

namespace kscope {
namespace {

namespace fs = std::filesystem;

const std::string kWorkload = std::string(KSCOPE_WORKLOAD_DIR) + "/symbolize_target";

// The shared libraries and interpreter `binary` needs, from ldd.
std::vector<std::string> needed_libraries(const std::string& binary) {
  std::vector<std::string> libs;
  std::unique_ptr<FILE, decltype(&pclose)> p(popen(("ldd " + binary).c_str(), "r"), &pclose);
  if (!p) return libs;
  char line[4096];
  while (fgets(line, sizeof(line), p.get()) != nullptr) {
    std::string l(line);
    size_t slash = l.find('/');
    if (slash == std::string::npos) continue;
    size_t end = l.find_first_of(" \n(", slash);
    libs.push_back(l.substr(slash, end - slash));
  }
  return libs;
}

class SymbolizeContainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "chroot and mount namespaces need root";
    if (!fs::exists(kWorkload)) GTEST_SKIP() << kWorkload << " not built";
    char pattern[] = "/tmp/kscope-container-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    stop();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // Forks; the child runs `setup` (raw syscalls only: it is a forked copy
  // of a test process) and then execs `binary`. Returns the marker address
  // the workload prints.
  template <class Setup>
  uint64_t start(const std::string& binary, Setup setup) {
    int fds[2];
    if (pipe(fds) != 0) return 0;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      if (!setup()) _exit(126);
      execl(binary.c_str(), "symbolize_target", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    char buf[64] = {};
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    close(fds[0]);
    return n > 0 ? std::strtoull(buf, nullptr, 16) : 0;
  }
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    dead_pid_ = pid_;
    pid_ = 0;
  }

  std::string dir_;
  pid_t pid_ = 0;
  pid_t dead_pid_ = 0;
};

TEST_F(SymbolizeContainerTest, ChrootedProcessResolvesThroughProcRoot) {
  std::string root = dir_ + "/root";
  const std::string inside = "/opt/kscope-chroot/symbolize_target";
  ASSERT_FALSE(fs::exists(inside)) << "the path must not exist on the host for this test";
  fs::create_directories(fs::path(root + inside).parent_path());
  fs::copy_file(kWorkload, root + inside);
  for (const auto& lib : needed_libraries(kWorkload)) {
    fs::create_directories(fs::path(root + lib).parent_path());
    fs::copy_file(lib, root + lib, fs::copy_options::overwrite_existing);
  }
  const char* root_c = root.c_str();
  uint64_t marker = start(inside, [root_c] { return chroot(root_c) == 0 && chdir("/") == 0; });
  ASSERT_NE(marker, 0u) << "the workload did not start in the chroot";
  ASSERT_EQ(fs::read_symlink("/proc/" + std::to_string(pid_) + "/root"), fs::path(root));

  Symbolizer sym;
  Frame f = sym.symbolize_user(pid_, marker);
  EXPECT_TRUE(f.resolved);
  EXPECT_EQ(f.function, "kscope_symbolize_marker");
  EXPECT_EQ(f.offset, 0u);
  // maps prints paths relative to the reader's root: we see the host path.
  EXPECT_EQ(f.module, root + inside);
  EXPECT_FALSE(f.build_id.empty());

  // And after it exits, from what remember() kept.
  Symbolizer remembering;
  ASSERT_TRUE(remembering.remember(pid_).ok());
  stop();
  EXPECT_EQ(remembering.symbolize_user(dead_pid_, marker).function, "kscope_symbolize_marker");
}

TEST_F(SymbolizeContainerTest, PrivateMountNamespaceResolvesThroughProcRoot) {
  // The binary lives in hidden/; the child bind-mounts hidden/ over the
  // empty mnt/ in its own namespace, so only it sees mnt/symbolize_target.
  std::string hidden = dir_ + "/hidden";
  std::string mnt = dir_ + "/mnt";
  fs::create_directories(hidden);
  fs::create_directories(mnt);
  fs::copy_file(kWorkload, hidden + "/symbolize_target");
  std::string binary = mnt + "/symbolize_target";
  const char* hidden_c = hidden.c_str();
  const char* mnt_c = mnt.c_str();
  uint64_t marker = start(binary, [hidden_c, mnt_c] {
    return unshare(CLONE_NEWNS) == 0 &&
           mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
           mount(hidden_c, mnt_c, nullptr, MS_BIND, nullptr) == 0;
  });
  ASSERT_NE(marker, 0u) << "the workload did not start in its mount namespace";
  ASSERT_FALSE(fs::exists(binary)) << "the host must not see the namespace's mount";

  Symbolizer sym;
  Frame f = sym.symbolize_user(pid_, marker);
  EXPECT_TRUE(f.resolved);
  EXPECT_EQ(f.function, "kscope_symbolize_marker");
  EXPECT_EQ(f.module, binary);
}

}  // namespace
}  // namespace kscope
