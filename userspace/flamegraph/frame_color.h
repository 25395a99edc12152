// Flame graph colours. Normal graphs colour by frame kind so kernel, user
// and JIT code stand apart at a glance, with the shade varied by a hash of
// the name so neighbours differ and a function keeps its colour across
// graphs. Differential graphs colour by change: red grew, blue shrank.
#pragma once

#include <cstdint>
#include <string>

#include "flamegraph/profile.h"

namespace kscope {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

Rgb frame_color(const ProfileFrame& frame);
// The shade used for a box that stands for many merged small frames.
Rgb merged_frames_color();
// delta: change in share of the total from before to after (-1..1);
// max_abs_delta: the largest |delta| in the graph, which gets full colour.
// A delta of 0 is neutral whatever the maximum.
Rgb diff_color(double delta, double max_abs_delta);
Rgb neutral_diff_color();
// Colour used to highlight search matches.
Rgb search_match_color();

std::string css_color(Rgb c);  // "rgb(r,g,b)"

}  // namespace kscope
