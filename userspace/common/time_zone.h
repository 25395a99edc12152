// An IANA time zone read from the tz database (/usr/share/zoneinfo), for
// the weekly maintenance windows of alerting. libstdc++ 12 has no
// std::chrono::locate_zone, and localtime_r with a changed TZ is not
// thread-safe, so the TZif file is parsed here: bounded (64 KiB, counts
// checked against the size), its transitions looked up by binary search,
// and times after the last transition computed from the POSIX TZ rule in
// its footer ("CET-1CEST,M3.5.0,M10.5.0/3"), as slim tzdata files need.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace kscope {

class TimeZone {
 public:
  // name: "Europe/Berlin", "UTC". Only [A-Za-z0-9_+-/] and no "..": a
  // name never reaches outside root.
  static Result<TimeZone> load(const std::string& name, const std::string& root = "/usr/share/zoneinfo");
  // From the bytes of a TZif file (tests, fuzzing).
  static Result<TimeZone> parse(const std::string& name, const std::string& bytes);

  // Seconds east of UTC at the instant unix_seconds.
  int32_t offset_at(int64_t unix_seconds) const;
  const std::string& name() const { return name_; }

 private:
  struct Rule {  // a POSIX TZ date rule "Mm.w.d/time"
    int month = 0, week = 0, weekday = 0;
    int32_t time = 7200;  // seconds after local midnight
  };
  struct Posix {
    bool valid = false;
    bool has_dst = false;
    int32_t std_offset = 0, dst_offset = 0;  // seconds east of UTC
    Rule start, end;
  };
  static bool parse_posix(const std::string& text, Posix& out);
  int32_t posix_offset(int64_t t) const;

  std::string name_;
  std::vector<int64_t> transitions_;
  std::vector<uint8_t> types_;     // per transition: index into offsets_
  std::vector<int32_t> offsets_;   // per local time type
  int32_t initial_offset_ = 0;     // before the first transition
  Posix posix_;
};

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
// The year of a day count.
int64_t year_of_days(int64_t days);

}  // namespace kscope
