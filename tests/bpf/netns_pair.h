// Two network namespaces joined by a veth pair, made by a test and removed
// with it: a ("client", .1) and b ("server", .2), IPv4 and IPv6. Nothing
// leaves the machine. Sockets are made inside a namespace by running code
// on a thread that joined it (setns affects only the calling thread).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

namespace kscope::test {

inline int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

inline std::string sh_out(const std::string& cmd) {
  std::string out;
  if (FILE* f = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
    pclose(f);
  }
  return out;
}

class NetnsPair {
 public:
  NetnsPair() {
    std::string id = std::to_string(getpid() % 100000);
    a_ = "kscope_a" + id;
    b_ = "kscope_b" + id;
    std::string va = "ksa" + id, vb = "ksb" + id;
    ok_ = sh("ip netns add " + a_) == 0 && sh("ip netns add " + b_) == 0 &&
          sh("ip link add " + va + " type veth peer name " + vb) == 0 &&
          sh("ip link set " + va + " netns " + a_) == 0 && sh("ip link set " + vb + " netns " + b_) == 0 &&
          sh("ip -n " + a_ + " addr add " + kA4 + "/24 dev " + va) == 0 &&
          sh("ip -n " + b_ + " addr add " + kB4 + "/24 dev " + vb) == 0 &&
          sh("ip -n " + a_ + " addr add " + kA6 + "/64 dev " + va + " nodad") == 0 &&
          sh("ip -n " + b_ + " addr add " + kB6 + "/64 dev " + vb + " nodad") == 0 &&
          sh("ip -n " + a_ + " link set " + va + " up") == 0 && sh("ip -n " + b_ + " link set " + vb + " up") == 0 &&
          sh("ip -n " + a_ + " link set lo up") == 0 && sh("ip -n " + b_ + " link set lo up") == 0;
  }
  ~NetnsPair() {
    sh("ip netns del " + a_ + " 2>/dev/null");
    sh("ip netns del " + b_ + " 2>/dev/null");
  }
  bool ok() const { return ok_; }
  const std::string& a() const { return a_; }
  const std::string& b() const { return b_; }

  // Loads nftables rules (the body of `table inet kscope_test { ... }`)
  // into a namespace, replacing earlier ones.
  bool nft(const std::string& ns, const std::string& table_body) const {
    sh("ip netns exec " + ns + " nft delete table inet kscope_test 2>/dev/null");
    std::string file = "/tmp/kscope-nft-" + std::to_string(getpid()) + ".nft";
    std::ofstream(file) << "table inet kscope_test {\n" << table_body << "\n}\n";
    int rc = sh("ip netns exec " + ns + " nft -f " + file);
    std::remove(file.c_str());
    return rc == 0;
  }
  void nft_clear(const std::string& ns) const {
    sh("ip netns exec " + ns + " nft delete table inet kscope_test 2>/dev/null");
  }

  // A field of the Tcp: line of /proc/net/snmp inside the namespace.
  static long snmp_tcp(const std::string& ns, const std::string& field) {
    std::istringstream in(sh_out("ip netns exec " + ns + " cat /proc/net/snmp"));
    std::string names, values, line;
    while (std::getline(in, line)) {
      if (line.rfind("Tcp:", 0) != 0) continue;
      if (names.empty()) {
        names = line;
      } else {
        values = line;
        break;
      }
    }
    std::istringstream n(names), v(values);
    std::string name, value;
    while (n >> name && v >> value) {
      if (name == field) return std::stol(value);
    }
    return -1;
  }

  // Runs fn on a new thread inside namespace ns.
  static std::thread spawn_in(const std::string& ns, std::function<void()> fn) {
    return std::thread([ns, fn = std::move(fn)] {
      int fd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) std::abort();
      close(fd);
      fn();
    });
  }
  static void run_in(const std::string& ns, std::function<void()> fn) { spawn_in(ns, std::move(fn)).join(); }

  static constexpr const char* kA4 = "10.213.0.1";
  static constexpr const char* kB4 = "10.213.0.2";
  static constexpr const char* kA6 = "fd00:213::1";
  static constexpr const char* kB6 = "fd00:213::2";

 private:
  std::string a_, b_;
  bool ok_ = false;
};

// sockaddr for "10.0.0.1" or "fd00::1".
inline socklen_t make_addr(const std::string& ip, uint16_t port, sockaddr_storage& ss) {
  ss = {};
  if (ip.find(':') != std::string::npos) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    inet_pton(AF_INET6, ip.c_str(), &s6->sin6_addr);
    return sizeof(*s6);
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &s4->sin_addr);
  return sizeof(*s4);
}

}  // namespace kscope::test
