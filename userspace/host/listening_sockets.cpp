#include "host/listening_sockets.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "host/text_fields.h"
#include "symbolize/file_read.h"

namespace kscope::host {
namespace {

constexpr size_t kMaxNetTcpBytes = 64u << 20;
constexpr size_t kMaxCommBytes = 64;
constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::optional<uint32_t> hex32(std::string_view s) {
  if (s.empty() || s.size() > 8) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = v << 4 | uint32_t(d);
  }
  return v;
}

// "0100007F:1F90" (tcp: one 32-bit word in host order) or 32 hex digits
// (tcp6: four words, each in host order).
std::optional<ListeningSocket> parse_local(std::string_view field, bool ipv6) {
  size_t colon = field.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view addr = field.substr(0, colon);
  auto port = hex32(field.substr(colon + 1));
  if (!port || *port > 0xffff || addr.size() != (ipv6 ? 32u : 8u)) return std::nullopt;
  ListeningSocket s;
  s.port = uint16_t(*port);
  if (!ipv6) {
    auto w = hex32(addr);
    if (!w) return std::nullopt;
    std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), s.address.begin());
    std::memcpy(s.address.data() + 12, &*w, 4);
    return s;
  }
  for (size_t i = 0; i < 4; ++i) {
    auto w = hex32(addr.substr(i * 8, 8));
    if (!w) return std::nullopt;
    std::memcpy(s.address.data() + i * 4, &*w, 4);
  }
  return s;
}

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

std::vector<ListeningSocket> parse_listening_sockets(std::string_view text, bool ipv6) {
  std::vector<ListeningSocket> out;
  bool header = true;
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    if (header) {
      header = false;
      return;
    }
    if (out.size() >= kMaxListeners) return;
    std::string_view rest = line;
    next_field(rest);  // sl
    std::string_view local = next_field(rest);
    next_field(rest);  // rem_address
    if (next_field(rest) != "0A") return;  // TCP_LISTEN
    for (int i = 0; i < 5; ++i) next_field(rest);  // tx:rx, tr:when, retrnsmt, uid, timeout
    auto inode = parse_u64(next_field(rest));
    auto s = parse_local(local, ipv6);
    if (!s || !inode || *inode == 0) return;
    s->inode = *inode;
    out.push_back(*s);
  });
  return out;
}

ListenerIndex ListenerIndex::read(const std::string& proc_root) {
  std::vector<Listener> listeners;
  for (bool v6 : {false, true}) {
    std::string text;
    if (!read_file_bounded(proc_root + (v6 ? "/net/tcp6" : "/net/tcp"), kMaxNetTcpBytes, text)) continue;
    for (const auto& s : parse_listening_sockets(text, v6)) {
      if (listeners.size() >= kMaxListeners) break;
      listeners.push_back({s, 0, ""});
    }
  }
  std::unordered_map<uint64_t, Listener*> by_inode;
  for (auto& l : listeners) by_inode.emplace(l.socket.inode, &l);
  find_holders(proc_root, by_inode);
  return ListenerIndex(std::move(listeners), interface_addresses());
}

bool ListenerIndex::is_local(const std::array<uint8_t, 16>& a) const {
  return is_loopback(a) || std::find(local_.begin(), local_.end(), a) != local_.end();
}

std::optional<Listener> ListenerIndex::serving(std::string_view address, uint16_t port) const {
  auto a = parse_address(address);
  if (!a || !is_local(*a)) return std::nullopt;
  const bool v4 = std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), a->begin());
  const Listener* wildcard = nullptr;
  for (const auto& l : listeners_) {
    if (l.socket.port != port) continue;
    if (l.socket.address == *a) return l;
    // An IPv6 wildcard socket takes IPv4 too (unless v6only: not visible
    // here, and rare for servers that also bind a v4 socket).
    const bool l4 = std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), l.socket.address.begin());
    if (is_wildcard(l.socket.address) && (l4 == v4 || !l4) && wildcard == nullptr) wildcard = &l;
  }
  if (wildcard != nullptr) return *wildcard;
  return std::nullopt;
}

}  // namespace kscope::host
