// The breakdown cap: per metric family, the busiest values of the breakdown
// label keep their own series and the rest are summed into "other".
#pragma once

#include <string>

#include "model/snapshot.h"

namespace kscope {

// Keeps at most max_values distinct values of `label` in the family (one of
// them being "other" when anything was folded). Activity is the series value
// or histogram count, summed per label value. Series that become equal after
// folding are merged, and so are series that arrive with equal labels (the
// kernel's overflow slots and the regular entries with no breakdown).
void fold_breakdown(Family& family, const std::string& label, size_t max_values);

}  // namespace kscope
