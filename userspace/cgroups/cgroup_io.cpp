#include "cgroups/cgroup_io.h"

#include <charconv>
#include <optional>

#include "cgroups/cgroup_text.h"

namespace kscope {
namespace {

using cgroup_text_detail::to_u64;

// "MAJ:MIN", each a decimal that fits the kernel's dev_t (12 and 20 bits).
bool parse_dev(std::string_view s, uint32_t& major, uint32_t& minor) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  auto ma = to_u64(s.substr(0, colon));
  auto mi = to_u64(s.substr(colon + 1));
  if (!ma || !mi || *ma >= (1u << 12) || *mi >= (1u << 20)) return false;
  major = uint32_t(*ma);
  minor = uint32_t(*mi);
  return true;
}

CgroupIoDevice* find_or_add(std::vector<CgroupIoDevice>& devices, uint32_t major, uint32_t minor) {
  for (auto& d : devices) {
    if (d.major == major && d.minor == minor) return &d;
  }
  if (devices.size() >= kCgroupMaxDevices) return nullptr;
  devices.push_back({major, minor});
  return &devices.back();
}

// Splits off the next space-separated word of `rest`.
std::string_view next_word(std::string_view& rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  size_t sp = rest.find(' ');
  std::string_view word = rest.substr(0, sp);
  rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  return word;
}

template <typename F>
void for_each_line(std::string_view text, F&& f) {
  size_t lines = 0;
  while (!text.empty() && lines++ < kCgroupMaxLines) {
    size_t nl = text.find('\n');
    f(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
}

}  // namespace

std::vector<CgroupIoDevice> parse_io_stat(std::string_view text) {
  std::vector<CgroupIoDevice> devices;
  for_each_line(text, [&](std::string_view line) {
    uint32_t major = 0, minor = 0;
    if (!parse_dev(next_word(line), major, minor)) return;
    CgroupIoDevice* d = find_or_add(devices, major, minor);
    if (d == nullptr) return;
    for (int words = 0; !line.empty() && words < 32; ++words) {
      std::string_view kv = next_word(line);
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) continue;
      auto v = to_u64(kv.substr(eq + 1));
      if (!v) continue;
      std::string_view k = kv.substr(0, eq);
      if (k == "rbytes") d->read_bytes = *v;
      else if (k == "wbytes") d->write_bytes = *v;
      else if (k == "rios") d->read_ops = *v;
      else if (k == "wios") d->write_ops = *v;
    }
  });
  return devices;
}

void merge_blkio_throttle(std::string_view text, bool bytes, std::vector<CgroupIoDevice>& devices) {
  for_each_line(text, [&](std::string_view line) {
    uint32_t major = 0, minor = 0;
    if (!parse_dev(next_word(line), major, minor)) return;  // "Total N" and junk
    std::string_view op = next_word(line);
    bool read = op == "Read";
    if (!read && op != "Write") return;  // Sync, Async, Discard, Total
    auto v = to_u64(next_word(line));
    if (!v) return;
    CgroupIoDevice* d = find_or_add(devices, major, minor);
    if (d == nullptr) return;
    (bytes ? (read ? d->read_bytes : d->write_bytes) : (read ? d->read_ops : d->write_ops)) = *v;
  });
}

}  // namespace kscope
