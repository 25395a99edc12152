// A real nginx (Debian nginx-light) for the privileged tests: its own
// config and prefix in a temporary directory, one worker, listening on a
// free loopback port (plain HTTP or HTTPS), stopped (and its directory removed) on destruction.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kscope::test {

class NginxServer {
 public:
  // `locations`: the server block's location directives, e.g.
  // `location / { return 200 "ok\n"; }`. tls: HTTPS only (`listen ... ssl`)
  // with a self-signed certificate made with the openssl CLI.
  explicit NginxServer(const std::string& locations, bool tls = false);
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  // Whether nginx is installed, started and accepting; why not otherwise.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }

 private:
  std::string dir_;
  std::string error_;
  uint16_t port_ = 0;
  pid_t master_ = -1;
};

// Runs argv (argv[0] a path) with stdout and stderr to /dev/null, waiting
// at most `timeout_ms`; returns its pid through *pid and its exit status
// (-1 when it did not end in time: it is killed).
int run_with_deadline(const std::vector<std::string>& argv, int timeout_ms, pid_t* pid);

}  // namespace kscope::test
