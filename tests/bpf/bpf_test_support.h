// Shared pieces of the privileged tests: the root/BTF gate, running a
// workload to completion, and finding series in collected families.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "loader/probe.h"

namespace kscope::testing {

// GTEST_SKIP()s the calling test when it can't load BPF here, with the reason.
#define KSCOPE_REQUIRE_BPF()                                                          \
  do {                                                                                \
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";            \
    if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)                                 \
      GTEST_SKIP() << "needs kernel BTF at /sys/kernel/btf/vmlinux";                  \
  } while (0)

// Path of a program from tests/workloads.
std::string workload(const std::string& name);

// Runs argv to completion; returns its exit status (or -1).
int run_to_completion(const std::vector<std::string>& argv);

// A unique 15-byte-safe comm for this test run ("ks<tag><pid>").
std::string unique_comm(const std::string& tag);

// A probe's kscope_map_overflow_total counts by map name.
std::map<std::string, uint64_t> overflows_by_map(const Probe& probe);

// The first series of `family` whose labels include all of `want`.
const Series* find_series(const std::vector<Family>& families, const std::string& family, const Labels& want);

}  // namespace kscope::testing
