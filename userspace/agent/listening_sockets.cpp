#include "agent/listening_sockets.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "host/netns_addresses.h"
#include "host/text_fields.h"
#include "probes/l7_preexisting.h"
#include "common/file_read.h"

namespace kscope {
namespace {

constexpr size_t kMaxNetTcpBytes = 64u << 20;
constexpr size_t kMaxCommBytes = 64;
constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool is_wildcard(const std::array<uint8_t, 16>& a) {
  static const std::array<uint8_t, 16> any6{};
  std::array<uint8_t, 16> any4{};
  std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), any4.begin());
  return a == any6 || a == any4;
}

bool is_loopback(const std::array<uint8_t, 16>& a) {
  std::array<uint8_t, 16> lo6{};
  lo6[15] = 1;
  if (a == lo6) return true;
  return std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), a.begin()) && a[12] == 127;
}

std::optional<std::array<uint8_t, 16>> parse_address(std::string_view text) {
  std::string s(text.substr(0, INET6_ADDRSTRLEN));
  std::array<uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), out.begin());
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

std::vector<std::array<uint8_t, 16>> interface_addresses() {
  std::vector<std::array<uint8_t, 16>> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i != nullptr && out.size() < 4096; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    std::array<uint8_t, 16> a{};
    if (i->ifa_addr->sa_family == AF_INET) {
      std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), a.begin());
      std::memcpy(a.data() + 12, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      std::memcpy(a.data(), &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(a);
  }
  freeifaddrs(list);
  return out;
}

bool all_digits(const char* s) {
  if (*s == '\0') return false;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
  }
  return true;
}

// Which process holds each inode of `wanted`: a scan of /proc/<pid>/fd.
void find_holders(const std::string& proc, std::unordered_map<uint64_t, Listener*>& wanted) {
  DIR* procs = opendir(proc.c_str());
  if (procs == nullptr) return;
  size_t seen = 0;
  size_t left = wanted.size();
  while (dirent* p = readdir(procs)) {
    if (left == 0 || seen++ >= kMaxProcesses) break;
    if (!all_digits(p->d_name)) continue;
    std::string fd_dir = proc + "/" + p->d_name + "/fd";
    DIR* fds = opendir(fd_dir.c_str());
    if (fds == nullptr) continue;  // gone, or not ours to read
    size_t n = 0;
    while (dirent* f = readdir(fds)) {
      if (n++ >= kMaxFdsPerProcess) break;
      if (!all_digits(f->d_name)) continue;
      char target[64];
      ssize_t len = readlinkat(dirfd(fds), f->d_name, target, sizeof target - 1);
      if (len <= 0) continue;
      target[len] = '\0';
      unsigned long long inode = 0;
      if (std::sscanf(target, "socket:[%llu]", &inode) != 1) continue;
      auto it = wanted.find(inode);
      if (it == wanted.end() || it->second->pid != 0) continue;
      it->second->pid = uint32_t(std::strtoul(p->d_name, nullptr, 10));
      std::string comm;
      if (read_file_bounded(proc + "/" + p->d_name + "/comm", kMaxCommBytes, comm)) {
        while (!comm.empty() && comm.back() == '\n') comm.pop_back();
        it->second->comm = comm;
      }
      --left;
    }
    closedir(fds);
  }
  closedir(procs);
}

}  // namespace

std::vector<ListeningSocket> parse_listening_sockets(std::string_view text) {
  constexpr uint8_t kTcpListen = 10;
  std::vector<ListeningSocket> out;
  host::for_each_line(text, host::kMaxLines, [&](std::string_view line) {
    if (out.size() >= kMaxListeners) return;
    auto e = parse_proc_net_tcp_line(line);
    if (!e || e->state != kTcpListen || e->inode == 0 || !e->local.known) return;
    out.push_back({e->local.address, e->local.port, e->inode});
  });
  return out;
}

namespace {

// The listening sockets of the namespace `net_dir` (a /proc/.../net) shows,
// up to the shared cap `total`.
std::vector<Listener> read_listeners(const std::string& net_dir, size_t& total) {
  std::vector<Listener> out;
  for (bool v6 : {false, true}) {
    std::string text;
    if (!read_file_bounded(net_dir + (v6 ? "/tcp6" : "/tcp"), kMaxNetTcpBytes, text)) continue;
    for (const auto& s : parse_listening_sockets(text)) {
      if (total >= kMaxListeners) break;
      out.push_back({s, 0, ""});
      ++total;
    }
  }
  return out;
}

// "net:[4026531840]" -> 4026531840; 0 when unreadable.
uint64_t netns_of(const std::string& ns_link) {
  char target[64];
  ssize_t len = readlink(ns_link.c_str(), target, sizeof target - 1);
  if (len <= 0) return 0;
  target[len] = '\0';
  unsigned long long inode = 0;
  return std::sscanf(target, "net:[%llu]", &inode) == 1 ? inode : 0;
}

// One process of each network namespace other than `own`, at most
// kMaxNamespaces.
std::vector<std::string> other_namespaces(const std::string& proc, uint64_t own) {
  std::vector<std::string> pids;
  std::unordered_map<uint64_t, bool> seen;
  DIR* procs = opendir(proc.c_str());
  if (procs == nullptr) return pids;
  size_t n = 0;
  while (dirent* p = readdir(procs)) {
    if (n++ >= kMaxProcesses || pids.size() >= kMaxNamespaces) break;
    if (!all_digits(p->d_name)) continue;
    uint64_t ns = netns_of(proc + "/" + p->d_name + "/ns/net");
    if (ns == 0 || ns == own || !seen.emplace(ns, true).second) continue;
    pids.push_back(p->d_name);
  }
  closedir(procs);
  return pids;
}

}  // namespace

ListenerIndex ListenerIndex::read(const std::string& proc_root) {
  size_t total = 0;
  std::vector<Listener> listeners = read_listeners(proc_root + "/net", total);
  std::vector<NamespaceListeners> others;
  for (const auto& pid : other_namespaces(proc_root, netns_of(proc_root + "/self/ns/net"))) {
    const std::string net = proc_root + "/" + pid + "/net";
    NamespaceListeners ns;
    ns.listeners = read_listeners(net, total);
    if (ns.listeners.empty()) continue;
    std::string text;
    if (read_file_bounded(net + "/fib_trie", kMaxNetTcpBytes, text)) ns.addresses = host::parse_fib_trie_local(text);
    if (read_file_bounded(net + "/if_inet6", kMaxNetTcpBytes, text)) {
      for (const auto& a : host::parse_if_inet6(text)) {
        if (ns.addresses.size() < host::kMaxNamespaceAddresses) ns.addresses.push_back(a);
      }
    }
    others.push_back(std::move(ns));
  }
  // Socket inodes are the host's, whichever namespace: one scan finds them all.
  std::unordered_map<uint64_t, Listener*> by_inode;
  for (auto& l : listeners) by_inode.emplace(l.socket.inode, &l);
  for (auto& ns : others) {
    for (auto& l : ns.listeners) by_inode.emplace(l.socket.inode, &l);
  }
  find_holders(proc_root, by_inode);
  return ListenerIndex(std::move(listeners), interface_addresses(), std::move(others));
}

bool ListenerIndex::is_local(const std::array<uint8_t, 16>& a) const {
  return is_loopback(a) || std::find(local_.begin(), local_.end(), a) != local_.end();
}

namespace {

// The listener among `listeners` bound to `a` on `port`, else a wildcard one.
std::optional<Listener> bound_to(const std::vector<Listener>& listeners, const std::array<uint8_t, 16>& a,
                                 uint16_t port) {
  const bool v4 = std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), a.begin());
  const Listener* wildcard = nullptr;
  for (const auto& l : listeners) {
    if (l.socket.port != port) continue;
    if (l.socket.address == a) return l;
    // An IPv6 wildcard socket takes IPv4 too (unless v6only: not visible
    // here, and rare for servers that also bind a v4 socket).
    const bool l4 = std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), l.socket.address.begin());
    if (is_wildcard(l.socket.address) && (l4 == v4 || !l4) && wildcard == nullptr) wildcard = &l;
  }
  if (wildcard != nullptr) return *wildcard;
  return std::nullopt;
}

}  // namespace

std::optional<Listener> ListenerIndex::serving(std::string_view address, uint16_t port) const {
  auto a = parse_address(address);
  if (!a) return std::nullopt;
  if (is_local(*a)) return bound_to(listeners_, *a, port);  // loopback included
  for (const auto& ns : others_) {
    if (std::find(ns.addresses.begin(), ns.addresses.end(), *a) != ns.addresses.end()) {
      return bound_to(ns.listeners, *a, port);
    }
  }
  return std::nullopt;
}

}  // namespace kscope
