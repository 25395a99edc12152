#include "probes/l7_tls_libraries.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace kscope {
namespace {

TEST(L7TlsLibraries, FindsLibsslInMapsLines) {
  EXPECT_EQ(libssl_path_in_maps_line("7f2a1c000000-7f2a1c020000 r--p 00000000 fd:01 1311234    "
                                     "/usr/lib/x86_64-linux-gnu/libssl.so.3"),
            "/usr/lib/x86_64-linux-gnu/libssl.so.3");
  EXPECT_EQ(libssl_path_in_maps_line("7f2a1c000000-7f2a1c020000 r-xp 00000000 00:2f 77 /opt/my app/libssl.so.1.1"),
            "/opt/my app/libssl.so.1.1")
      << "a path with a space";
  // Not libssl, or not usable.
  EXPECT_FALSE(libssl_path_in_maps_line("7f2a1c000000-7f2a1c020000 r--p 00000000 fd:01 13 /usr/lib/libcrypto.so.3"));
  EXPECT_FALSE(libssl_path_in_maps_line("7f2a1c000000-7f2a1c020000 r--p 00000000 fd:01 13 /usr/lib/libssl.so.3.bak"));
  EXPECT_FALSE(libssl_path_in_maps_line("7f2a1c000000-7f2a1c020000 r--p 00000000 fd:01 13 /x/libssl.so.3 (deleted)"));
  EXPECT_FALSE(libssl_path_in_maps_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0 [stack]"));
  EXPECT_FALSE(libssl_path_in_maps_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0"));
  EXPECT_FALSE(libssl_path_in_maps_line("garbage libssl.so.3"));
  EXPECT_FALSE(libssl_path_in_maps_line(""));
  EXPECT_FALSE(libssl_path_in_maps_line("a b c d e libssl.so.3")) << "relative";
  EXPECT_TRUE(is_libssl_name("libssl.so.3"));
  EXPECT_FALSE(is_libssl_name("libssl.so"));
}

// A fake /proc: a process mapping the same libssl twice (two segments) and
// one through a symlinked directory, and a maps line naming a file that
// does not exist.
TEST(L7TlsLibraries, ProcessesDedupeByInode) {
  char tmpl[] = "/tmp/kscope-tlslib-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::filesystem::path root = tmpl;
  std::filesystem::create_directories(root / "42/root/lib");
  std::ofstream(root / "42/root/lib/libssl.so.3") << "not really ELF";
  std::filesystem::create_directory_symlink("lib", root / "42/root/lib64");
  std::ofstream(root / "42/maps") << "1000-2000 r--p 00000000 fd:01 5 /lib/libssl.so.3\n"
                                  << "2000-3000 r-xp 00001000 fd:01 5 /lib/libssl.so.3\n"
                                  << "3000-4000 r-xp 00001000 fd:01 5 /lib64/libssl.so.3\n"
                                  << "4000-5000 r-xp 00001000 fd:01 6 /gone/libssl.so.3\n";
  std::filesystem::create_directories(root / "self");  // not a pid
  auto libs = libssl_of_process(root.string(), 42);
  ASSERT_EQ(libs.size(), 1u);
  EXPECT_EQ(libs[0].path, (root / "42/root/lib/libssl.so.3").string());
  bool truncated = true;
  EXPECT_EQ(libssl_of_processes(root.string(), 0, 10, &truncated), libs);
  EXPECT_FALSE(truncated);
  EXPECT_TRUE(libssl_of_processes(root.string(), 0, 0, &truncated).empty());
  EXPECT_TRUE(truncated);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace kscope
