#include "alerts/channel_sinks.h"

#include "common/bearer_token.h"

namespace kscope {

MessageLinks sink_links(const SinkConfig& c, const std::string& dashboard) {
  MessageLinks l;
  l.dashboard = c.dashboard_url.empty() ? dashboard : c.dashboard_url;
  while (!l.dashboard.empty() && l.dashboard.back() == '/') l.dashboard.pop_back();
  return l;
}

Result<std::string> read_sink_secret(const SinkConfig& c, const std::string& file, const std::string& env,
                                     const char* what) {
  auto secret = read_bearer_token(file, env, MissingTokenEnv::kError);
  if (!secret) {
    return Error("sink " + c.name + ": cannot read its " + what + ": " + secret.error().message(),
                 file.empty() ? "export the variable in kscope's environment"
                              : "check the file exists and is readable by kscope");
  }
  if (secret->empty()) return Error("sink " + c.name + ": no " + what + " configured");
  return secret;
}

}  // namespace kscope
