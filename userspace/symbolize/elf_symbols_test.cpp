#include "symbolize/elf_symbols.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "symbolize/demangle.h"
#include "symbolize/elf_cache.h"
#include "common/file_read.h"
#include "symbolize/proc_maps.h"
#include "symbolize/test_support.h"

namespace kscope_elf_test {
__attribute__((noinline)) int elf_target(int x) {
  asm volatile("");
  return x * 3 + 1;
}
}  // namespace kscope_elf_test

namespace kscope {
namespace {

// The ELF virtual address of a function in this test binary, the way the
// symbolizer derives it: address -> mapping -> file offset -> PT_LOAD.
uint64_t own_file_offset(uint64_t address) {
  auto maps = read_proc_maps(getpid());
  if (!maps) return 0;
  const MapEntry* m = find_mapping(*maps, address);
  return m != nullptr ? address - m->start + m->offset : 0;
}

std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ElfSymbols, FindsOwnFunctionThroughPtLoad) {
  auto file = ElfFile::open(self_exe());
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  auto table = ElfSymbolTable::build(*file);
  EXPECT_TRUE(table.has_symtab());
  EXPECT_EQ(table.build_id().size(), 40u);  // SHA-1 build-id, as Debian's gcc writes

  auto address = reinterpret_cast<uint64_t>(&kscope_elf_test::elf_target);
  auto vaddr = table.vaddr_for_file_offset(own_file_offset(address));
  ASSERT_TRUE(vaddr);
  auto sym = table.find(*vaddr + 2);
  ASSERT_TRUE(sym);
  EXPECT_EQ(demangle(sym->name), "kscope_elf_test::elf_target(int)");
  EXPECT_EQ(sym->offset, 2u);
  EXPECT_GT(sym->size, 2u);
}

TEST(ElfSymbols, FileOffsetToVaddrUsesTheSegment) {
  std::vector<LoadSegment> segments{{0, 0x400000, 0x1000, 0x1000, false},
                                    {0x1000, 0x401000, 0x5000, 0x5000, true},
                                    {0x6000, 0x607000, 0x100, 0x900, false}};
  EXPECT_EQ(file_offset_to_vaddr(segments, 0x1234), 0x401234u);
  EXPECT_EQ(file_offset_to_vaddr(segments, 0x6010), 0x607010u);
  EXPECT_FALSE(file_offset_to_vaddr(segments, 0x6100));
}

TEST(ElfSymbols, NotElfAndTruncatedFilesAreErrorsOrEmpty) {
  testing::TempDir dir;
  EXPECT_FALSE(ElfFile::open(dir.write("text", "hello, this is not ELF at all")).ok());
  EXPECT_FALSE(ElfFile::open(dir.write("empty", "")).ok());
  EXPECT_FALSE(ElfFile::open(dir.path()).ok());  // a folder

  std::string image = read_all(self_exe());
  ASSERT_GT(image.size(), 8192u);
  for (size_t cut : {size_t{20}, size_t{64}, size_t{100}, size_t{4096}, image.size() / 2}) {
    auto file = ElfFile::open(dir.write("cut", image.substr(0, cut)));
    if (!file.ok()) continue;
    auto table = ElfSymbolTable::build(*file);
    // The section headers are at the end of the file: nothing of them is left.
    EXPECT_EQ(table.size(), 0u) << "cut at " << cut;
  }
}

TEST(ElfSymbols, CorruptHeadersDoNotCrash) {
  std::string original = read_all(self_exe());
  ASSERT_GT(original.size(), 8192u);
  std::mt19937_64 rng(12345);
  // The section header table and ELF/program headers are where corruption
  // steers the parser; flip bytes there.
  uint64_t shoff = 0;
  std::memcpy(&shoff, original.data() + 0x28, 8);
  ASSERT_LT(shoff, original.size());
  size_t survived = 0;
  std::string image = original;
  for (int round = 0; round < 500; ++round) {
    std::vector<size_t> flipped;
    for (int i = 0; i < 12; ++i) {
      size_t pos = (i % 2 == 0) ? rng() % 1024 : shoff + rng() % (original.size() - shoff);
      image[pos] = static_cast<char>(rng());
      flipped.push_back(pos);
    }
    {
      auto file = ElfFile::from_memory(image.data(), image.size(), "fuzz");
      if (file.ok()) {
        auto table = ElfSymbolTable::build(*file);
        (void)table.find(0x1000);
        (void)file->debug_link();
        (void)file->build_id();
        ++survived;
      }
    }
    for (size_t pos : flipped) image[pos] = original[pos];  // cheaper than a fresh copy
  }
  EXPECT_GT(survived, 0u);  // some mutations leave a parseable file behind
}

TEST(ElfCache, SameFileParsedOnceAndNotElfCachedAsNull) {
  testing::TempDir dir;
  ElfCache cache;
  for (int i = 0; i < 3; ++i) {
    struct stat st;
    auto fd = open_regular_file(self_exe(), &st);
    ASSERT_TRUE(fd.ok());
    auto table = cache.get(std::move(*fd), st, self_exe(), "");
    ASSERT_NE(table, nullptr);
    EXPECT_GT(table->size(), 100u);
  }
  EXPECT_EQ(cache.files_parsed(), 1u);

  // A copy has another inode but the same build-id: still no second parse.
  std::filesystem::copy_file(self_exe(), dir.path() + "/copy");
  struct stat st;
  auto fd = open_regular_file(dir.path() + "/copy", &st);
  ASSERT_TRUE(fd.ok());
  EXPECT_NE(cache.get(std::move(*fd), st, "/copy", ""), nullptr);
  EXPECT_EQ(cache.files_parsed(), 1u);

  auto junk = dir.write("junk", "junk");
  fd = open_regular_file(junk, &st);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(cache.get(std::move(*fd), st, junk, ""), nullptr);
}

// Strips a copy of this binary and provides its symbols only through a
// separate debug file, as distributions ship them.
class DebugFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v objcopy >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "objcopy (binutils) not installed";
    }
    std::filesystem::copy_file(self_exe(), dir_.path() + "/prog");
    std::string cmd = "cd " + dir_.path() +
                      " && objcopy --only-keep-debug prog prog.debug && objcopy --strip-all prog";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

  std::optional<std::string> lookup(ElfCache& cache, const std::string& path) {
    struct stat st;
    auto fd = open_regular_file(path, &st);
    if (!fd) return std::nullopt;
    auto table = cache.get(std::move(*fd), st, path, "");
    if (!table) return std::nullopt;
    auto address = reinterpret_cast<uint64_t>(&kscope_elf_test::elf_target);
    auto vaddr = table->vaddr_for_file_offset(own_file_offset(address));
    auto sym = vaddr ? table->find(*vaddr) : std::nullopt;
    if (!sym) return std::nullopt;
    return demangle(sym->name);
  }

  testing::TempDir dir_;
};

TEST_F(DebugFileTest, StrippedBinaryAloneHasNoName) {
  ElfCache cache(16, {dir_.path() + "/no-debug-here"});
  EXPECT_EQ(lookup(cache, dir_.path() + "/prog"), std::nullopt);
}

// No symbol names it, but .eh_frame_hdr knows where it begins: every address
// inside gets the function's start.
TEST_F(DebugFileTest, StrippedBinaryStillKnowsTheFunctionStart) {
  auto file = ElfFile::open(dir_.path() + "/prog");
  ASSERT_TRUE(file.ok());
  auto table = ElfSymbolTable::build(*file);
  EXPECT_FALSE(table.has_symtab());
  auto address = reinterpret_cast<uint64_t>(&kscope_elf_test::elf_target);
  auto vaddr = table.vaddr_for_file_offset(own_file_offset(address));
  ASSERT_TRUE(vaddr);
  EXPECT_FALSE(table.find(*vaddr + 2));
  // The unstripped binary's symbol says how long the function is.
  auto full = ElfFile::open(self_exe());
  ASSERT_TRUE(full.ok());
  auto sym = ElfSymbolTable::build(*full).find(*vaddr);
  ASSERT_TRUE(sym);
  for (uint64_t off = 0; off < sym->size; ++off) {
    ASSERT_EQ(table.function_start(*vaddr + off), *vaddr) << "offset " << off;
  }
  // The next function has its own start.
  auto next = table.function_start(*vaddr + sym->size + 64);
  ASSERT_TRUE(next);
  EXPECT_GT(*next, *vaddr);
  EXPECT_FALSE(table.function_start(0)) << "below every function";
}

TEST_F(DebugFileTest, FoundThroughGnuDebuglink) {
  std::string cmd = "cd " + dir_.path() + " && objcopy --add-gnu-debuglink=prog.debug prog";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  ElfCache cache(16, {dir_.path() + "/no-debug-here"});
  EXPECT_EQ(lookup(cache, dir_.path() + "/prog"), "kscope_elf_test::elf_target(int)");
}

TEST_F(DebugFileTest, DebuglinkWithWrongCrcIsRejected) {
  std::string cmd = "cd " + dir_.path() +
                    " && objcopy --add-gnu-debuglink=prog.debug prog && echo x >> prog.debug";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  ElfCache cache(16, {dir_.path() + "/no-debug-here"});
  EXPECT_EQ(lookup(cache, dir_.path() + "/prog"), std::nullopt);
}

TEST_F(DebugFileTest, FoundByBuildIdUnderDebugDir) {
  auto file = ElfFile::open(dir_.path() + "/prog");
  ASSERT_TRUE(file.ok());
  std::string id = file->build_id();
  ASSERT_EQ(id.size(), 40u);
  std::string target =
      dir_.path() + "/debug/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
  std::filesystem::create_directories(std::filesystem::path(target).parent_path());
  std::filesystem::rename(dir_.path() + "/prog.debug", target);
  ElfCache cache(16, {dir_.path() + "/debug"});
  EXPECT_EQ(lookup(cache, dir_.path() + "/prog"), "kscope_elf_test::elf_target(int)");
}

}  // namespace
}  // namespace kscope
