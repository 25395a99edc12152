// Every probe kscope knows, and which config family each serves. It lives
// with the probes (it names each of them) so that the loader, which they
// implement, does not depend on them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "loader/probe.h"

namespace kscope {

using ProbeFactory = std::unique_ptr<Probe> (*)();

struct ProbeInfo {
  std::string name;
  std::string description;
  ProbeFactory create;
  // Whether config enables it.
  bool (*enabled)(const Config&);
  // The families of the config's probes: section it serves.
  std::vector<std::string> families;
};

// Every probe kscope knows, in load order.
const std::vector<ProbeInfo>& probe_registry();

// A family of the config's probes: section as health and check show it: the
// state of the probe that serves it, or "disabled in config" when the config
// turns the family off (even if its probe runs for another family).
struct FamilyStatus {
  std::string family;
  std::string probe;  // the registry probe that serves it
  bool up = false;
  std::string reason;  // why it is down
};
std::vector<FamilyStatus> family_statuses(const ProbesConfig& config, const std::vector<ProbeStatus>& probes);

}  // namespace kscope
