#include "cgroups/cgroup_identity.h"

#include <array>

namespace kscope {
namespace {

constexpr size_t kMaxPath = 4096;
constexpr size_t kMaxComponent = 256;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool all_hex(std::string_view s) {
  for (char c : s) {
    if (!is_hex(c)) return false;
  }
  return !s.empty();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ends_with_unit_suffix(std::string_view s) {
  return s.ends_with(".service") || s.ends_with(".scope") || s.ends_with(".socket");
}

// A container's scope or directory: the id, or "" when `c` is not one.
// conmon's scope (crio-conmon-<id>.scope, libpod-conmon-<id>.scope) is the
// monitor, not the container, and is left out.
std::string_view container_id_of(std::string_view c) {
  if (c.size() == 64 && all_hex(c)) return c;  // /docker/<id>, /kubepods/.../<id>
  if (!c.ends_with(".scope")) return {};
  c.remove_suffix(6);
  static constexpr std::array<std::string_view, 5> kPrefixes = {"docker-", "cri-containerd-", "crio-", "libpod-",
                                                                "containerd-"};
  for (auto prefix : kPrefixes) {
    if (!c.starts_with(prefix)) continue;
    std::string_view id = c.substr(prefix.size());
    // Runtime ids are hex digests (64); anything else is not an id.
    if (id.size() >= 12 && id.size() <= 64 && all_hex(id)) return id;
  }
  return {};
}

// "pod<uid>" (cgroupfs) or "kubepods[-qos]-pod<uid_with_underscores>.slice"
// (systemd driver); the uid with dashes, or "".
std::string pod_uid_of(std::string_view c) {
  if (c.ends_with(".slice")) {
    if (!c.starts_with("kubepods")) return {};
    c.remove_suffix(6);
    size_t at = c.rfind("-pod");
    if (at == std::string_view::npos) return {};
    c = c.substr(at + 4);
  } else if (c.starts_with("pod")) {
    c.remove_prefix(3);
  } else {
    return {};
  }
  // A UID is 32 hex digits, with its four dashes (36) or without (static
  // pods' config hash); the systemd driver writes the dashes as '_'.
  if (c.size() != 32 && c.size() != 36) return {};
  std::string uid;
  for (char ch : c) {
    if (ch == '_' || ch == '-') {
      uid += '-';
    } else if (is_hex(ch)) {
      uid += ch;
    } else {
      return {};
    }
  }
  return uid;
}

}  // namespace

std::string systemd_unescape(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\' && i + 3 < name.size() && name[i + 1] == 'x') {
      int hi = hex_value(name[i + 2]);
      int lo = hex_value(name[i + 3]);
      int byte = hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
      // '/' is kept escaped: a unit name has none, and a label that looks
      // like a path would be taken for the cgroup's.
      if (byte >= 0x20 && byte < 0x7f && byte != '/') {
        out += char(byte);
        i += 3;
        continue;
      }
    }
    out += name[i];
  }
  return out;
}

CgroupIdentity identify_cgroup(std::string_view path) {
  CgroupIdentity id;
  if (path.size() > kMaxPath) return id;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view c = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (c.empty() || c.size() > kMaxComponent) continue;
    if (auto cid = container_id_of(c); !cid.empty()) {
      id.container_id = std::string(cid);
      continue;
    }
    if (auto uid = pod_uid_of(c); !uid.empty()) {
      id.pod_uid = uid;
      continue;
    }
    // conmon's scope is a unit of its own, but not a service worth naming.
    if (ends_with_unit_suffix(c) && c.find("-conmon-") == std::string_view::npos) {
      id.service = systemd_unescape(c);
    }
  }
  return id;
}

}  // namespace kscope
