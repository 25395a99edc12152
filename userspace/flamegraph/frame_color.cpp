#include "flamegraph/frame_color.h"

#include <algorithm>
#include <cmath>

#include "flamegraph/id_index.h"

namespace kscope {
namespace {

// A value in [0, 1) from the name, stable across runs and machines.
double name_hash01(std::string_view name) {
  return static_cast<double>(hash_bytes(name) >> 11) / static_cast<double>(uint64_t{1} << 53);
}

uint8_t lerp(int lo, int hi, double t) { return static_cast<uint8_t>(lo + (hi - lo) * t); }

}  // namespace

Rgb frame_color(const ProfileFrame& frame) {
  double v = name_hash01(frame.name);
  switch (frame.kind) {
    case ProfileFrameKind::kProcess: return Rgb{lerp(150, 180, v), lerp(150, 180, v), lerp(200, 230, v)};  // lavender
    case ProfileFrameKind::kKernel: return Rgb{lerp(215, 240, v), lerp(140, 185, v), lerp(40, 70, v)};  // orange
    case ProfileFrameKind::kJit: return Rgb{lerp(60, 110, v), lerp(180, 220, v), lerp(60, 100, v)};  // green
    case ProfileFrameKind::kUnknown: return Rgb{lerp(170, 190, v), lerp(170, 190, v), lerp(170, 190, v)};  // grey
    case ProfileFrameKind::kUser:
    default: return Rgb{lerp(205, 250, v), lerp(70, 130, v), lerp(40, 70, v)};  // red to coral
  }
}

Rgb merged_frames_color() { return Rgb{200, 200, 200}; }

Rgb neutral_diff_color() { return Rgb{245, 245, 245}; }

Rgb search_match_color() { return Rgb{230, 0, 230}; }

Rgb diff_color(double delta, double max_abs_delta) {
  if (delta == 0 || !(max_abs_delta > 0) || !std::isfinite(delta)) return neutral_diff_color();
  double t = std::clamp(std::fabs(delta) / max_abs_delta, 0.0, 1.0);
  // Even the smallest change gets a visible tint.
  double fade = 0.15 + 0.85 * t;
  auto ch = static_cast<uint8_t>(std::lround(245 - 215 * fade));
  return delta > 0 ? Rgb{245, ch, ch} : Rgb{ch, ch, 245};
}

std::string css_color(Rgb c) {
  return "rgb(" + std::to_string(c.r) + "," + std::to_string(c.g) + "," + std::to_string(c.b) + ")";
}

}  // namespace kscope
