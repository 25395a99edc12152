#include "common/time_zone.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

namespace kscope {
namespace {

constexpr size_t kMaxTzifBytes = 64 * 1024;

bool valid_zone_name(const std::string& n) {
  if (n.empty() || n.size() > 64 || n.front() == '/' || n.find("..") != std::string::npos) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' || c == '/';
  });
}

class Reader {
 public:
  explicit Reader(const std::string& b) : b_(b) {}
  bool has(size_t n) const { return pos_ <= b_.size() && b_.size() - pos_ >= n; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b_[pos_++]);
    return v;
  }
  int64_t i64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(b_[pos_++]);
    return static_cast<int64_t>(v);
  }
  uint8_t u8() { return static_cast<unsigned char>(b_[pos_++]); }
  void skip(size_t n) { pos_ += n; }
  size_t pos() const { return pos_; }

 private:
  const std::string& b_;
  size_t pos_ = 0;
};

struct Header {
  char version = 0;
  uint32_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

bool read_header(Reader& r, const std::string& bytes, Header& h) {
  if (!r.has(44) || bytes.compare(r.pos(), 4, "TZif") != 0) return false;
  r.skip(4);
  h.version = static_cast<char>(r.u8());
  r.skip(15);
  h.isut = r.u32();
  h.isstd = r.u32();
  h.leap = r.u32();
  h.time = r.u32();
  h.type = r.u32();
  h.chars = r.u32();
  // Counts larger than any real zone are a damaged file, not a reason to
  // allocate; the size check below catches the rest.
  return h.type >= 1 && h.type <= 256 && h.time <= 4096 && h.leap <= 1024 && h.chars <= 1024 && h.isut <= 256 &&
         h.isstd <= 256;
}

// "[+-]hh[:mm[:ss]]" -> seconds; false on junk.
bool parse_hms(const std::string& s, size_t& i, int32_t& out) {
  int sign = 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
  int32_t parts[3] = {0, 0, 0};
  for (int p = 0; p < 3; ++p) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (p == 0) return false;
      break;
    }
    int v = 0;
    for (int k = 0; k < 3 && i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++k) v = v * 10 + (s[i++] - '0');
    parts[p] = v;
    if (p < 2 && i < s.size() && s[i] == ':') ++i;
    else break;
  }
  out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool skip_zone_abbrev(const std::string& s, size_t& i) {
  size_t start = i;
  if (i < s.size() && s[i] == '<') {
    auto close = s.find('>', i);
    if (close == std::string::npos) return false;
    i = close + 1;
    return true;
  }
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  return i - start >= 3;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t year_of_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

bool TimeZone::parse_posix(const std::string& s, Posix& out) {
  size_t i = 0;
  if (!skip_zone_abbrev(s, i)) return false;
  int32_t off = 0;
  if (!parse_hms(s, i, off)) return false;
  out.std_offset = -off;  // POSIX counts west of UTC
  if (i == s.size()) {
    out.valid = true;
    return true;
  }
  if (!skip_zone_abbrev(s, i)) return false;
  out.dst_offset = out.std_offset + 3600;
  if (i < s.size() && s[i] != ',') {
    if (!parse_hms(s, i, off)) return false;
    out.dst_offset = -off;
  }
  auto rule = [&](Rule& r) {
    if (i >= s.size() || s[i] != ',') return false;
    ++i;
    if (i >= s.size() || s[i] != 'M') return false;  // Jn and n rules: no zone in use has them
    ++i;
    int v[3] = {0, 0, 0};
    for (int k = 0; k < 3; ++k) {
      size_t begin = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - begin < 2) v[k] = v[k] * 10 + (s[i++] - '0');
      if (i == begin) return false;
      if (k < 2) {
        if (i >= s.size() || s[i] != '.') return false;
        ++i;
      }
    }
    if (v[0] < 1 || v[0] > 12 || v[1] < 1 || v[1] > 5 || v[2] > 6) return false;
    r.month = v[0];
    r.week = v[1];
    r.weekday = v[2];
    r.time = 7200;
    if (i < s.size() && s[i] == '/') {
      ++i;
      if (!parse_hms(s, i, r.time)) return false;
    }
    return true;
  };
  if (!rule(out.start) || !rule(out.end) || i != s.size()) return false;
  out.has_dst = true;
  out.valid = true;
  return true;
}

namespace {
// Local midnight (as seconds since the epoch, local) of a rule's day in year y.
int64_t rule_day_seconds(int64_t y, int month, int week, int weekday) {
  int64_t first = days_from_civil(y, static_cast<unsigned>(month), 1);
  int64_t first_wd = ((first + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  int64_t day = first + ((weekday - first_wd) % 7 + 7) % 7 + 7 * (week - 1);
  int64_t next_month = month == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, static_cast<unsigned>(month + 1), 1);
  while (day >= next_month) day -= 7;  // week 5 means the last one
  return day * 86400;
}
}  // namespace

int32_t TimeZone::posix_offset(int64_t t) const {
  if (!posix_.has_dst) return posix_.std_offset;
  int64_t local_days = (t + posix_.std_offset) / 86400 - ((t + posix_.std_offset) % 86400 < 0 ? 1 : 0);
  int64_t y = year_of_days(local_days);
  int64_t start = rule_day_seconds(y, posix_.start.month, posix_.start.week, posix_.start.weekday) + posix_.start.time -
                  posix_.std_offset;
  int64_t end =
      rule_day_seconds(y, posix_.end.month, posix_.end.week, posix_.end.weekday) + posix_.end.time - posix_.dst_offset;
  bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? posix_.dst_offset : posix_.std_offset;
}

Result<TimeZone> TimeZone::parse(const std::string& name, const std::string& bytes) {
  auto bad = [&](const std::string& why) { return Error("time zone " + name + ": not a valid TZif file: " + why); };
  if (bytes.size() > kMaxTzifBytes) return bad("larger than 64 KiB");
  Reader r(bytes);
  Header h;
  if (!read_header(r, bytes, h)) return bad("bad header");
  size_t time_size = 4;
  if (h.version >= '2') {
    size_t v1 = size_t(h.time) * 5 + size_t(h.type) * 6 + h.chars + size_t(h.leap) * 8 + h.isstd + h.isut;
    if (!r.has(v1)) return bad("truncated");
    r.skip(v1);
    if (!read_header(r, bytes, h)) return bad("bad second header");
    time_size = 8;
  }
  size_t body = size_t(h.time) * (time_size + 1) + size_t(h.type) * 6 + h.chars + size_t(h.leap) * (time_size + 4) +
                h.isstd + h.isut;
  if (!r.has(body)) return bad("truncated");
  TimeZone z;
  z.name_ = name;
  for (uint32_t i = 0; i < h.time; ++i) {
    z.transitions_.push_back(time_size == 8 ? r.i64() : static_cast<int32_t>(r.u32()));
  }
  for (uint32_t i = 0; i < h.time; ++i) {
    uint8_t t = r.u8();
    if (uint32_t{t} >= h.type) return bad("transition names a missing type");
    z.types_.push_back(t);
  }
  std::vector<bool> dst;
  for (uint32_t i = 0; i < h.type; ++i) {
    int32_t off = static_cast<int32_t>(r.u32());
    if (off < -26 * 3600 || off > 26 * 3600) return bad("offset out of range");
    z.offsets_.push_back(off);
    dst.push_back(r.u8() != 0);
    r.skip(1);
  }
  if (!std::is_sorted(z.transitions_.begin(), z.transitions_.end())) return bad("transitions out of order");
  // Before the first transition: the first standard-time type (RFC 8536 3.2).
  z.initial_offset_ = z.offsets_[0];
  for (size_t i = 0; i < dst.size(); ++i) {
    if (!dst[i]) {
      z.initial_offset_ = z.offsets_[i];
      break;
    }
  }
  r.skip(h.chars + size_t(h.leap) * (time_size + 4) + h.isstd + h.isut);
  if (time_size == 8 && r.has(2) && bytes[r.pos()] == '\n') {
    auto end = bytes.find('\n', r.pos() + 1);
    if (end != std::string::npos) {
      std::string footer = bytes.substr(r.pos() + 1, end - r.pos() - 1);
      if (!footer.empty() && !parse_posix(footer, z.posix_)) z.posix_ = {};
    }
  }
  return z;
}

Result<TimeZone> TimeZone::load(const std::string& name, const std::string& root) {
  if (!valid_zone_name(name)) {
    return Error("time zone '" + name + "' is not a tz database name", "use a name like Europe/Berlin or UTC");
  }
  std::ifstream in(root + "/" + name, std::ios::binary);
  if (!in) {
    return Error("unknown time zone '" + name + "' (no " + root + "/" + name + ")",
                 "use a tz database name like Europe/Berlin, or install tzdata");
  }
  std::string bytes;
  bytes.resize(kMaxTzifBytes + 1);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return parse(name, bytes);
}

int32_t TimeZone::offset_at(int64_t t) const {
  if (transitions_.empty()) return posix_.valid ? posix_offset(t) : initial_offset_;
  if (t < transitions_.front()) return initial_offset_;
  if (t >= transitions_.back() && posix_.valid) return posix_offset(t);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return offsets_[types_[static_cast<size_t>(it - transitions_.begin()) - 1]];
}

}  // namespace kscope
