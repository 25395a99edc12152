#include "probes/l7_preexisting.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <unordered_map>
#include <unordered_set>

namespace kscope {
namespace {

constexpr uint8_t kTcpEstablished = 1;
constexpr size_t kMaxLinesPerFile = 262144;

std::optional<uint64_t> parse_hex(std::string_view s) {
  uint64_t v = 0;
  if (s.empty() || s.size() > 16) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "0100007F:1F90" (tcp) or 32 hex digits ":PORT" (tcp6). The kernel prints
// each 32-bit word of the address as a host-order integer, so copying the
// integers back in host order restores the address's bytes.
std::optional<requests::SocketAddress> parse_endpoint(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view addr = s.substr(0, colon);
  auto port = parse_hex(s.substr(colon + 1));
  if (!port || *port > 0xffff || (addr.size() != 8 && addr.size() != 32)) return std::nullopt;
  requests::SocketAddress out;
  if (addr.size() == 8) {
    auto w = parse_hex(addr);
    if (!w) return std::nullopt;
    const uint32_t word = uint32_t(*w);
    out.address[10] = out.address[11] = 0xff;
    std::memcpy(&out.address[12], &word, 4);
  } else {
    for (size_t i = 0; i < 4; ++i) {
      auto w = parse_hex(addr.substr(i * 8, 8));
      if (!w) return std::nullopt;
      const uint32_t word = uint32_t(*w);
      std::memcpy(&out.address[i * 4], &word, 4);
    }
  }
  out.port = uint16_t(*port);
  out.known = true;
  return out;
}

// The inode of "socket:[12345]", 0 otherwise.
uint64_t socket_inode(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (link.size() < kPrefix.size() + 2 || link.substr(0, kPrefix.size()) != kPrefix || link.back() != ']') return 0;
  uint64_t ino = 0;
  std::string_view digits = link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ino);
  return ec == std::errc() && p == digits.data() + digits.size() ? ino : 0;
}

uint64_t fd_socket_inode(const std::string& fd_path) {
  char buf[64];
  ssize_t n = readlink(fd_path.c_str(), buf, sizeof(buf));
  return n > 0 && size_t(n) < sizeof(buf) ? socket_inode({buf, size_t(n)}) : 0;
}

// The established connections of one network namespace, by inode.
void read_established(const std::string& path, std::unordered_map<uint64_t, ProcNetTcpEntry>& out,
                      uint64_t& skipped) {
  std::ifstream in(path);
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    if (++lines > kMaxLinesPerFile) {
      ++skipped;
      continue;
    }
    auto e = parse_proc_net_tcp_line(line);
    if (e && e->state == kTcpEstablished && e->inode != 0) out.emplace(e->inode, *e);
  }
}

std::vector<uint32_t> numeric_entries(const std::string& dir) {
  std::vector<uint32_t> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    uint32_t v = 0;
    const char* end = e->d_name + std::strlen(e->d_name);
    auto [p, ec] = std::from_chars(e->d_name, end, v);
    if (ec == std::errc() && p == end) out.push_back(v);
  }
  closedir(d);
  return out;
}

}  // namespace

std::optional<ProcNetTcpEntry> parse_proc_net_tcp_line(std::string_view line) {
  // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
  std::string_view fields[10];
  size_t n = 0, i = 0;
  while (n < 10) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    fields[n++] = line.substr(i, j - i);
    i = j;
  }
  if (n < 10 || fields[0].empty() || fields[0].back() != ':') return std::nullopt;
  auto local = parse_endpoint(fields[1]);
  auto peer = parse_endpoint(fields[2]);
  auto state = parse_hex(fields[3]);
  if (!local || !peer || !state || *state > 0xff) return std::nullopt;
  ProcNetTcpEntry e;
  e.local = *local;
  e.peer = *peer;
  e.state = uint8_t(*state);
  auto [p, ec] = std::from_chars(fields[9].data(), fields[9].data() + fields[9].size(), e.inode);
  if (ec != std::errc() || p != fields[9].data() + fields[9].size()) return std::nullopt;
  return e;
}

PreexistingScan find_established_sockets(const std::string& proc_root, uint32_t only_tgid, size_t max) {
  PreexistingScan scan;
  // Network namespaces already read, by their inode: one read each.
  std::unordered_map<uint64_t, std::unordered_map<uint64_t, ProcNetTcpEntry>> by_netns;
  std::vector<uint32_t> pids = only_tgid != 0 ? std::vector<uint32_t>{only_tgid} : numeric_entries(proc_root);
  for (uint32_t pid : pids) {
    const std::string base = proc_root + "/" + std::to_string(pid);
    struct stat ns{};
    if (stat((base + "/ns/net").c_str(), &ns) != 0) continue;
    auto [it, fresh] = by_netns.try_emplace(uint64_t(ns.st_ino));
    if (fresh) {
      read_established(base + "/net/tcp", it->second, scan.skipped);
      read_established(base + "/net/tcp6", it->second, scan.skipped);
    }
    if (it->second.empty()) continue;
    for (uint32_t fd : numeric_entries(base + "/fd")) {
      const uint64_t ino = fd_socket_inode(base + "/fd/" + std::to_string(fd));
      auto conn = ino != 0 ? it->second.find(ino) : it->second.end();
      if (conn == it->second.end()) continue;
      if (scan.sockets.size() >= max) {
        ++scan.skipped;
        continue;
      }
      scan.sockets.push_back({pid, fd, ino, conn->second.local, conn->second.peer});
    }
  }
  return scan;
}

bool fd_names_socket(const std::string& proc_root, uint32_t tgid, uint32_t fd, uint64_t inode) {
  return fd_socket_inode(proc_root + "/" + std::to_string(tgid) + "/fd/" + std::to_string(fd)) == inode;
}

}  // namespace kscope
