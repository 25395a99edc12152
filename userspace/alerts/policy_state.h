// The notification policy's state on disk (alerts.state_dir/policy.json):
// silences, acknowledgements, firing alerts and what each sink was sent,
// written atomically (common/atomic_file) whenever it changes, read at
// startup. A file that cannot be read as such is renamed aside
// (policy.json.corrupt-<unix time>) and reported, never fatal: kscope
// starts with an empty state rather than not at all.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "alerts/notify_policy.h"
#include "common/result.h"

namespace kscope {

nlohmann::json policy_snapshot_json(const PolicySnapshot& s);
Result<PolicySnapshot> parse_policy_snapshot(const nlohmann::json& j);

class PolicyStateFile {
 public:
  explicit PolicyStateFile(std::string dir) : dir_(std::move(dir)) {}

  // The saved state; empty when there is none. Sets error() when the file
  // was corrupt (and moved aside) or could not be read.
  PolicySnapshot load();
  // Creates the directory (0700) when missing.
  Status save(const PolicySnapshot& s);

  std::string path() const { return dir_ + "/policy.json"; }
  const std::string& dir() const { return dir_; }
  // The last problem reading or writing, for /api/v1/health; "" when none.
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  std::string error_;
};

}  // namespace kscope
