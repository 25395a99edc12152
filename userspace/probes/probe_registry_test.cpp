#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>

#include "config/config.h"
#include "probes/probe_registry.h"

namespace kscope {
namespace {

// The config validates probe names (budget.keep) against kProbeNames
// without linking the probes; this keeps the two lists the same.
TEST(ProbeRegistry, NamesAreTheOnesTheConfigKnows) {
  std::vector<std::string> names;
  for (const auto& info : probe_registry()) names.push_back(info.name);
  EXPECT_EQ(names, kProbeNames);
}

// The families are the config's: the keys of the default config's probes:
// section, each turned off by its own `enabled`.
TEST(ProbeFamilies, AreTheSectionsOfTheConfig) {
  std::vector<std::string> keys;
  for (const auto& kv : YAML::Load(default_config_text())["probes"]) keys.push_back(kv.first.as<std::string>());
  ASSERT_GE(keys.size(), 6u);  // syscalls, sched, offcpu, profile, tcp, block, ...
  Config defaults;
  std::vector<std::string> names;
  for (const auto& f : probe_families(defaults.probes)) names.push_back(f.name);
  EXPECT_EQ(names, keys);
  // Turning one family off changes that family only; the others keep their
  // defaults (l7 is off by default).
  std::map<std::string, bool> by_default;
  for (const auto& f : probe_families(defaults.probes)) by_default[f.name] = f.enabled;
  for (const auto& key : keys) {
    auto cfg = parse_config("probes:\n  " + key + ":\n    enabled: false\n", "test.yaml");
    ASSERT_TRUE(cfg) << cfg.error().to_string();
    for (const auto& f : probe_families(cfg->probes)) {
      EXPECT_EQ(f.enabled, f.name != key && by_default[f.name]) << key << " off: " << f.name;
    }
  }
}

TEST(ProbeFamilies, EachIsServedByExactlyOneProbe) {
  for (const auto& family : probe_families(ProbesConfig{})) {
    int served = 0;
    for (const auto& info : probe_registry()) {
      served += int(std::count(info.families.begin(), info.families.end(), family.name));
    }
    EXPECT_EQ(served, 1) << family.name;
  }
}

TEST(ProbeFamilies, StatusesListEveryFamilyWithItsProbesState) {
  ProbesConfig probes;
  probes.offcpu.enabled = false;
  const std::vector<ProbeStatus> loaded = {{"syscalls", true, ""},
                                           {"sched", true, ""},
                                           {"profile", false, "perf_event_open: No such device"},
                                           {"tcp", true, ""}};
  auto st = family_statuses(probes, loaded);
  ASSERT_EQ(st.size(), probe_families(probes).size());
  EXPECT_EQ(st[1].family, "sched");
  EXPECT_TRUE(st[1].up);
  EXPECT_EQ(st[2].family, "offcpu");
  EXPECT_EQ(st[2].probe, "sched");
  EXPECT_FALSE(st[2].up);  // its probe runs, for sched, but the config turned offcpu off
  EXPECT_EQ(st[2].reason, "disabled in config");
  EXPECT_EQ(st[3].family, "profile");
  EXPECT_FALSE(st[3].up);
  EXPECT_EQ(st[3].reason, "perf_event_open: No such device");

  // The shared probe failing takes both of its families down, with its reason.
  probes.offcpu.enabled = true;
  auto down = family_statuses(probes, {{"syscalls", true, ""}, {"sched", false, "verifier: invalid mem access"}});
  ASSERT_EQ(down.size(), probe_families(probes).size());
  for (size_t i : {1, 2}) {
    EXPECT_FALSE(down[i].up) << down[i].family;
    EXPECT_EQ(down[i].reason, "verifier: invalid mem access") << down[i].family;
  }
  EXPECT_EQ(down[4].reason, "not loaded");  // tcp: no status at all
  EXPECT_EQ(st[5].family, "block");
  EXPECT_EQ(st[6].family, "exits");
  EXPECT_EQ(st[6].reason, "not loaded");
  EXPECT_EQ(st[7].family, "l7");  // off by default
  EXPECT_EQ(st[7].reason, "disabled in config");
}

}  // namespace
}  // namespace kscope
