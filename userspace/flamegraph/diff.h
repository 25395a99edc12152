// Differential profiles for `kscope diff before after`: the two profiles
// aligned on one tree, so each stack has a "before" and an "after" weight.
//
// Graphs draw the after side (box widths) and colour each box by the change
// of its share of the total: after/after_total - before/before_total, red
// where it grew, blue where it shrank. Shares, not raw counts, so a longer
// second run does not paint everything red. Boxes are coloured by inclusive
// weight: the path down to a change is tinted too, which leads the eye to
// it.
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "flamegraph/flame_svg.h"
#include "flamegraph/output_sink.h"
#include "flamegraph/profile.h"

namespace kscope {

struct DiffProfile {
  // Both profiles' stacks (frames collapsed to functions); self weights are
  // the after side's.
  Profile after;
  // Self weight of the before side, for each node of `after`.
  std::vector<uint64_t> before_self;
  uint64_t before_total = 0;
  uint64_t after_total = 0;
};

// Fails when the two profiles are of different kinds (cpu vs offcpu).
Result<DiffProfile> diff_profiles(const Profile& before, const Profile& after);

// "stack before after" for every stack in either profile (zeros included),
// the format of FlameGraph's difffolded.pl.
void write_diff_folded(const DiffProfile& diff, const Sink& out);

void write_diff_graph(const DiffProfile& diff, const FlameOptions& options, FlameFormat format,
                      const Sink& out);

}  // namespace kscope
