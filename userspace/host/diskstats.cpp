#include "host/diskstats.h"

#include "host/text_fields.h"

namespace kscope::host {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

// `s` is one or more digits.
bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// nvme\d+n\d+p\d+
bool is_nvme_partition(std::string_view s) {
  if (!s.starts_with("nvme")) return false;
  s.remove_prefix(4);
  size_t n = s.find('n');
  if (n == std::string_view::npos || !all_digits(s.substr(0, n))) return false;
  s.remove_prefix(n + 1);
  size_t p = s.find('p');
  return p != std::string_view::npos && all_digits(s.substr(0, p)) && all_digits(s.substr(p + 1));
}

// (h|s|v|xv)d[a-z]\d+
bool is_disk_partition(std::string_view s) {
  if (s.starts_with("xv")) {
    s.remove_prefix(2);
  } else if (!s.empty() && (s[0] == 'h' || s[0] == 's' || s[0] == 'v')) {
    s.remove_prefix(1);
  } else {
    return false;
  }
  return s.size() >= 3 && s[0] == 'd' && is_lower(s[1]) && all_digits(s.substr(2));
}

bool with_number(std::string_view s, std::string_view prefix) {
  return s.starts_with(prefix) && all_digits(s.substr(prefix.size()));
}

}  // namespace

bool disk_excluded(std::string_view name, bool has_io) {
  if (with_number(name, "loop")) return !has_io;
  return with_number(name, "ram") || with_number(name, "zram") || with_number(name, "fd") ||
         is_disk_partition(name) || is_nvme_partition(name);
}

Diskstats parse_diskstats(std::string_view text) {
  Diskstats out;
  for_each_line(text, kMaxLines, [&](std::string_view line) {
    std::string_view rest = line;
    if (!parse_u64(next_field(rest)) || !parse_u64(next_field(rest))) return;  // major, minor
    std::string_view name = next_field(rest);
    if (name.empty() || name.size() > 255) return;
    DiskStats d;
    for (auto f = next_field(rest); !f.empty() && d.fields < kDiskFields; f = next_field(rest)) {
      auto v = parse_u64(f);
      if (!v) return;
      d.v[d.fields++] = *v;
    }
    if (d.fields < 11) return;
    if (disk_excluded(name, d.v[kReads] + d.v[kWrites] > 0)) return;
    if (out.disks.size() >= kMaxDisks) {
      ++out.dropped;
      return;
    }
    d.name = std::string(name);
    out.disks.push_back(std::move(d));
  });
  return out;
}

}  // namespace kscope::host
