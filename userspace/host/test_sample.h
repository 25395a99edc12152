// For the host parsers' tests: a file copied from a real machine's /proc
// into userspace/host/testdata/.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace kscope::host {

inline std::string sample(const std::string& name) {
  std::ifstream in(std::string(KSCOPE_SOURCE_DIR) + "/userspace/host/testdata/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace kscope::host
