// A temporary directory tree shaped like /proc and /sys/fs/cgroup, for the
// layout and reader tests: regular files stand in for the kernel's (a
// pread at offset 0 reads both the same way). Removed at the end.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace kscope {

class CgroupTestTree {
 public:
  CgroupTestTree() {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("kscope_cgroups_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(root_);
  }
  ~CgroupTestTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::string path(const std::string& rel) const { return root_.string() + rel; }
  void write(const std::string& rel, const std::string& text) const {
    std::filesystem::create_directories(std::filesystem::path(path(rel)).parent_path());
    std::ofstream(path(rel)) << text;
  }
  void mkdir(const std::string& rel) const { std::filesystem::create_directories(path(rel)); }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path root_;
};

}  // namespace kscope
