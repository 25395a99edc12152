#include "symbolize/symbolizer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "symbolize/elf_file.h"
#include "common/file_read.h"
#include "symbolize/proc_maps.h"
#include "symbolize/test_support.h"

namespace kscope_sym_test {
__attribute__((noinline)) int target_function(int x) {
  asm volatile("");
  return x * 7 + 3;
}
__attribute__((noinline)) void child_function() { asm volatile(""); }
}  // namespace kscope_sym_test

namespace {

// When this binary is exec'd with KSCOPE_SYMBOLIZE_CHILD_FD set, it is a
// child for the exited-process tests: it reports where child_function is
// (its own ASLR layout, not the parent's) and waits to be killed. A static
// initializer does it so gtest's main never runs in the child.
const bool kIsChild = [] {
  const char* fd = std::getenv("KSCOPE_SYMBOLIZE_CHILD_FD");
  if (fd == nullptr) return false;
  auto address = reinterpret_cast<uint64_t>(&kscope_sym_test::child_function);
  if (write(std::atoi(fd), &address, sizeof(address)) != sizeof(address)) _exit(1);
  for (;;) pause();
}();

}  // namespace

namespace kscope {
namespace {

// A child process running this binary, killed and reaped on kill().
class Child {
 public:
  Child() {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      std::string fd = std::to_string(fds[1]);
      setenv("KSCOPE_SYMBOLIZE_CHILD_FD", fd.c_str(), 1);
      execl("/proc/self/exe", "symbolize-child", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    if (read(fds[0], &address_, sizeof(address_)) != sizeof(address_)) address_ = 0;
    close(fds[0]);
  }
  ~Child() { kill(); }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -pid_;  // keep the number for lookups after death
  }
  pid_t pid() const { return pid_ > 0 ? pid_ : -pid_; }
  uint64_t address() const { return address_; }

 private:
  pid_t pid_ = 0;
  uint64_t address_ = 0;
};

std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

TEST(Symbolizer, OwnFunctionIsNamedAndDemangled) {
  Symbolizer sym;
  auto address = reinterpret_cast<uint64_t>(&kscope_sym_test::target_function);
  Frame f = sym.symbolize_user(getpid(), address + 3);
  EXPECT_TRUE(f.resolved);
  EXPECT_EQ(f.function, "kscope_sym_test::target_function(int)");
  EXPECT_EQ(f.offset, 3u);
  EXPECT_EQ(f.kind, FrameKind::kUser);
  EXPECT_EQ(f.module, self_exe());
  EXPECT_EQ(f.build_id.size(), 40u);
  EXPECT_LE(f.map_start, address);
  EXPECT_GT(f.map_limit, address);
  EXPECT_EQ(f.address, address + 3);
}

TEST(Symbolizer, SharedLibraryFunction) {
  Symbolizer sym;
  auto address = reinterpret_cast<uint64_t>(&getpid);
  Frame f = sym.symbolize_user(getpid(), address);
  EXPECT_TRUE(f.resolved);
  // glibc's getpid is a weak alias of __getpid: the public name wins.
  EXPECT_EQ(f.function, "getpid");
  EXPECT_NE(f.module.find("libc"), std::string::npos) << f.module;
  EXPECT_EQ(f.offset, 0u);
}

TEST(Symbolizer, BinaryIsParsedOnceAcrossLookups) {
  Symbolizer sym;
  auto a = reinterpret_cast<uint64_t>(&kscope_sym_test::target_function);
  auto b = reinterpret_cast<uint64_t>(&getpid);
  std::vector<uint64_t> stack{a, b, a, b, a};
  auto frames = sym.symbolize_user(getpid(), stack);
  ASSERT_EQ(frames.size(), 5u);
  auto parsed = sym.stats().binaries_parsed;
  frames = sym.symbolize_user(getpid(), stack);
  EXPECT_EQ(frames[4].function, "kscope_sym_test::target_function(int)");
  EXPECT_EQ(sym.stats().binaries_parsed, parsed);
  EXPECT_LE(parsed, 2u);
}

TEST(Symbolizer, VdsoFunction) {
  auto maps = read_proc_maps(getpid());
  ASSERT_TRUE(maps.ok());
  const MapEntry* vdso = nullptr;
  for (const auto& m : *maps) {
    if (m.path == "[vdso]") vdso = &m;
  }
  if (vdso == nullptr) GTEST_SKIP() << "no vDSO mapped";
  // Every address in the vDSO's text is in some __vdso_/clock function or a
  // fallback naming [vdso]; at least one must have a name.
  Symbolizer sym;
  bool named = false;
  for (uint64_t a = vdso->start; a < vdso->end && !named; a += 16) {
    Frame f = sym.symbolize_user(getpid(), a);
    EXPECT_EQ(f.module, "[vdso]");
    named = f.resolved && (f.function.find("time") != std::string::npos ||
                           f.function.find("getcpu") != std::string::npos);
  }
  EXPECT_TRUE(named);
}

TEST(Symbolizer, UnmappedAddressIsUnknown) {
  Symbolizer sym;
  Frame f = sym.symbolize_user(getpid(), 0x10);
  EXPECT_FALSE(f.resolved);
  EXPECT_EQ(f.function, "[unknown]");
  EXPECT_EQ(f.module, "");
}

TEST(Symbolizer, RememberedProcessStillSymbolizesAfterExit) {
  Child child;
  ASSERT_NE(child.address(), 0u);
  Symbolizer sym;
  ASSERT_TRUE(sym.remember(child.pid()).ok());
  child.kill();
  ASSERT_FALSE(std::filesystem::exists("/proc/" + std::to_string(child.pid())));

  Frame f = sym.symbolize_user(child.pid(), child.address());
  EXPECT_TRUE(f.resolved);
  EXPECT_EQ(f.function, "kscope_sym_test::child_function()");
  sym.sweep();
  EXPECT_EQ(sym.stats().dead_processes, 1u);
  EXPECT_EQ(sym.symbolize_user(child.pid(), child.address()).function,
            "kscope_sym_test::child_function()");

  // Without remember() nothing is known about a process that is gone.
  Symbolizer fresh;
  EXPECT_EQ(fresh.symbolize_user(child.pid(), child.address()).function, "[unknown]");
  EXPECT_FALSE(fresh.remember(child.pid()).ok());
}

TEST(Symbolizer, DeadProcessesAreBounded) {
  SymbolizerOptions options;
  options.max_dead_processes = 1;
  Symbolizer sym(options);
  Child first;
  Child second;
  ASSERT_NE(first.address(), 0u);
  ASSERT_NE(second.address(), 0u);
  ASSERT_TRUE(sym.remember(first.pid()).ok());
  ASSERT_TRUE(sym.remember(second.pid()).ok());
  first.kill();
  second.kill();
  sym.sweep();
  EXPECT_EQ(sym.stats().dead_processes, 1u);
  EXPECT_EQ(sym.symbolize_user(first.pid(), first.address()).function, "[unknown]");
  EXPECT_EQ(sym.symbolize_user(second.pid(), second.address()).function,
            "kscope_sym_test::child_function()");
}

TEST(Symbolizer, KernelFramesFromKallsymsFixture) {
  testing::TempDir dir;
  SymbolizerOptions options;
  options.kallsyms_path = dir.write("kallsyms",
                                    "ffffffff81000000 T _stext\n"
                                    "ffffffff81000100 T schedule\n"
                                    "ffffffffc0001000 t ext4_write\t[ext4]\n");
  Symbolizer sym(options);
  std::vector<uint64_t> stack{0xffffffff81000110, 0xffffffffc0001004, 0x1234};
  auto frames = sym.symbolize_kernel(stack);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].function, "schedule");
  EXPECT_EQ(frames[0].offset, 0x10u);
  EXPECT_EQ(frames[0].module, "[kernel.kallsyms]");
  EXPECT_EQ(frames[0].kind, FrameKind::kKernel);
  EXPECT_EQ(frames[1].function, "ext4_write");
  EXPECT_EQ(frames[1].module, "[ext4]");
  EXPECT_FALSE(frames[2].resolved);
  EXPECT_EQ(frames[2].function, "[kernel.kallsyms]+0x1234");
}

TEST(Symbolizer, KernelAddressesHiddenByKptrRestrict) {
  testing::TempDir dir;
  SymbolizerOptions options;
  options.kallsyms_path = dir.write("kallsyms",
                                    "0000000000000000 T _stext\n"
                                    "0000000000000000 T schedule\n");
  Symbolizer sym(options);
  Frame f = sym.symbolize_kernel(0xffffffff81000110);
  EXPECT_FALSE(f.resolved);
  EXPECT_EQ(f.function, "[kernel.kallsyms]+0xffffffff81000110");
}

// A /proc tree made by hand: a process whose JIT wrote a perf map, inside
// a pid namespace (its own pid is 7), next to a library that cannot be read.
TEST(Symbolizer, JitFramesFromPerfMapInProcessRoot) {
  testing::TempDir dir;
  std::string proc = dir.path() + "/proc";
  dir.write("proc/4242/stat", "4242 (node) S 1 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0");
  dir.write("proc/4242/status", "Name:\tnode\nPid:\t4242\nNSpid:\t4242\t7\n");
  dir.write("proc/4242/maps",
            "7f0000000000-7f0000100000 rwxp 00000000 00:00 0 \n"
            "7f1000000000-7f1000010000 r-xp 00002000 08:01 99 /opt/app/libgone.so\n");
  dir.write("proc/4242/root/tmp/perf-7.map",
            "7f0000001000 100 LazyCompile:*fib /app/fib.js:1\n"
            "7f0000002000 80 Builtin:ArgumentsAdaptor\n");
  SymbolizerOptions options;
  options.proc_root = proc;
  Symbolizer sym(options);
  std::vector<uint64_t> stack{0x7f0000001010, 0x7f0000003000, 0x7f1000000010, 0x1000};
  auto frames = sym.symbolize_user(4242, stack);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0].kind, FrameKind::kJit);
  EXPECT_EQ(frames[0].function, "LazyCompile:*fib /app/fib.js:1");
  EXPECT_EQ(frames[0].offset, 0x10u);
  EXPECT_FALSE(frames[1].resolved);  // anonymous memory no JIT claimed
  EXPECT_EQ(frames[1].module, "[anon]");
  EXPECT_FALSE(frames[2].resolved);
  EXPECT_EQ(frames[2].function, "libgone.so+0x2010");  // file offset: the file is unreadable
  EXPECT_EQ(frames[2].module, "/opt/app/libgone.so");
  EXPECT_EQ(frames[2].map_offset, 0x2000u);
  EXPECT_EQ(frames[3].function, "[unknown]");

  // The JIT compiles more code: the grown perf map is read again.
  std::ofstream(dir.path() + "/proc/4242/root/tmp/perf-7.map", std::ios::app)
      << "7f0000003000 40 LazyCompile:*later /app/later.js:9\n";
  Frame later = sym.symbolize_user(4242, 0x7f0000003000);
  EXPECT_EQ(later.kind, FrameKind::kJit);
  EXPECT_EQ(later.function, "LazyCompile:*later /app/later.js:9");
}

TEST(Symbolizer, CorruptElfMappingFallsBack) {
  testing::TempDir dir;
  std::string junk(1 << 16, '\0');
  std::memcpy(junk.data(),
              "\x7f"
              "ELF\x02\x01\x01",
              7);  // an ELF magic over garbage
  for (size_t i = 16; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 131);
  std::string path = dir.write("corrupt lib.so", junk);
  auto fd = open_regular_file(path);
  ASSERT_TRUE(fd.ok());
  void* mem = mmap(nullptr, junk.size(), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd->get(), 0);
  ASSERT_NE(mem, MAP_FAILED);
  Symbolizer sym;
  Frame f = sym.symbolize_user(getpid(), reinterpret_cast<uint64_t>(mem) + 0x123);
  munmap(mem, junk.size());
  EXPECT_FALSE(f.resolved);
  EXPECT_EQ(f.module, path);
  EXPECT_EQ(f.function, "corrupt lib.so+0x123");
}

// A mapping whose file was deleted after mmap: only /proc/PID/map_files
// still reaches it, and that needs CAP_SYS_ADMIN.
TEST(Symbolizer, DeletedFileThroughMapFiles) {
  if (geteuid() != 0) GTEST_SKIP() << "/proc/PID/map_files needs root";
  testing::TempDir dir;
  std::string copy = dir.path() + "/copy-of-test";
  std::filesystem::copy_file(self_exe(), copy);
  auto own = read_proc_maps(getpid());
  ASSERT_TRUE(own.ok());
  auto address = reinterpret_cast<uint64_t>(&kscope_sym_test::target_function);
  const MapEntry* m = find_mapping(*own, address);
  ASSERT_NE(m, nullptr);
  // Map the same file range of the copy, then delete the copy.
  auto fd = open_regular_file(copy);
  ASSERT_TRUE(fd.ok());
  size_t length = m->end - m->start;
  void* mem = mmap(nullptr, length, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd->get(),
                   static_cast<off_t>(m->offset));
  ASSERT_NE(mem, MAP_FAILED);
  std::filesystem::remove(copy);
  Symbolizer sym;
  Frame f = sym.symbolize_user(getpid(), reinterpret_cast<uint64_t>(mem) + (address - m->start));
  munmap(mem, length);
  EXPECT_EQ(f.module, copy);
  EXPECT_EQ(f.function, "kscope_sym_test::target_function(int)");
}

TEST(Symbolizer, SafeAcrossThreads) {
  Symbolizer sym;
  auto address = reinterpret_cast<uint64_t>(&kscope_sym_test::target_function);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (sym.symbolize_user(getpid(), address).function ==
            "kscope_sym_test::target_function(int)") {
          ++good;
        }
        sym.sweep();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 200);
}

}  // namespace
}  // namespace kscope
