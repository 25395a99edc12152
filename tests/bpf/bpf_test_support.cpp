#include "bpf_test_support.h"

#include <sys/wait.h>

namespace kscope::testing {

std::string workload(const std::string& name) { return std::string(KSCOPE_WORKLOAD_DIR) + "/" + name; }

int run_to_completion(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string unique_comm(const std::string& tag) {
  return ("ks" + tag + std::to_string(getpid())).substr(0, 15);
}

std::map<std::string, uint64_t> overflows_by_map(const Probe& probe) {
  std::map<std::string, uint64_t> out;
  for (const auto& [map, n] : probe.map_overflows()) out[map] = n;
  return out;
}

const Series* find_series(const std::vector<Family>& families, const std::string& family, const Labels& want) {
  for (const auto& f : families) {
    if (f.name != family) continue;
    for (const auto& s : f.series) {
      bool all = true;
      for (const auto& [k, v] : want) {
        const std::string* got = s.label(k);
        if (got == nullptr || *got != v) {
          all = false;
          break;
        }
      }
      if (all) return &s;
    }
  }
  return nullptr;
}

}  // namespace kscope::testing
