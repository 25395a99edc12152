#include "flamegraph/diff.h"

#include "flamegraph/folded.h"

namespace kscope {

Result<DiffProfile> diff_profiles(const Profile& before, const Profile& after) {
  if (before.kind() != after.kind()) {
    return Error(std::string("cannot compare a ") + profile_kind_name(before.kind()) + " profile with a " +
                     profile_kind_name(after.kind()) + " profile",
                 "record both with the same command");
  }
  DiffProfile d;
  d.after.set_kind(after.kind());
  d.after.set_period_ns(after.period_ns());
  d.after.set_duration_ns(after.duration_ns());
  d.after.set_start_time_ns(after.start_time_ns());
  // Call sites of one function are one box in a flame graph; align on that.
  Profile collapsed_before, collapsed_after;
  if (before.has_locations()) collapsed_before = before.collapse_to_functions();
  if (after.has_locations()) collapsed_after = after.collapse_to_functions();
  const Profile& b = before.has_locations() ? collapsed_before : before;
  const Profile& a = after.has_locations() ? collapsed_after : after;
  d.after.merge(a);
  std::vector<NodeId> where = d.after.merge(b, /*add_weights=*/false);
  d.before_self.assign(d.after.node_count(), 0);
  for (size_t i = 0; i < where.size(); ++i) d.before_self[where[i]] += b.node(static_cast<NodeId>(i)).self;
  d.before_total = b.total_weight();
  d.after_total = d.after.total_weight();
  return d;
}

void write_diff_folded(const DiffProfile& d, const Sink& out) {
  write_folded_lines(
      d.after,
      [&](NodeId n, std::string* line) {
        uint64_t after = d.after.node(n).self;
        uint64_t before = d.before_self[n];
        if (after == 0 && before == 0) return false;
        *line += ' ';
        *line += std::to_string(before);
        *line += ' ';
        *line += std::to_string(after);
        return true;
      },
      out);
}

void write_diff_graph(const DiffProfile& d, const FlameOptions& options, FlameFormat format,
                      const Sink& out) {
  std::vector<uint64_t> before_totals = d.before_self;
  // Children have larger ids than their parents (see Profile::totals).
  for (size_t i = before_totals.size(); i-- > 1;) {
    before_totals[d.after.node(static_cast<NodeId>(i)).parent] += before_totals[i];
  }
  FlameDiff diff{before_totals, d.before_total};
  write_flame_graph(d.after, options, format, out, &diff);
}

}  // namespace kscope
