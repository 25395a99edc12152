// libFuzzer target: what the alert policy reads from others. The first byte
// picks the parser: a silence posted to /api/v1/silences (JSON), or a TZif
// file from the tz database (maintenance windows). Checks that what parses
// holds its promises, not just "no crash".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "alerts/silence.h"
#include "common/time_zone.h"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const kscope::WallTime now{std::chrono::seconds(1'790'000'000)};
  if (data[0] & 1) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return 0;
    auto s = kscope::parse_silence(j, now);
    if (!s) return 0;
    check(s->ends_at > s->starts_at && s->ends_at > now && !s->matchers.empty());
    auto c = kscope::CompiledSilence::compile(*s);
    check(c.ok());
    (void)c->matches({{"alertname", "A"}, {"comm", text.substr(0, 64)}});
    (void)kscope::silence_json(*s, now).dump();
  } else {
    auto z = kscope::TimeZone::parse("fuzz", text);
    if (!z) return 0;
    for (int64_t t : {int64_t{-1} << 40, int64_t{0}, int64_t{1'790'000'000}, int64_t{4'000'000'000}, int64_t{1} << 40}) {
      int32_t off = z->offset_at(t);
      check(off >= -26 * 3600 && off <= 26 * 3600);
    }
  }
  return 0;
}
