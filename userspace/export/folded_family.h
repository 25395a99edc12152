// One exported family whose series are sums of source series, where which
// source goes into which exported series is decided anew each interval (the
// busiest keep their own series, the rest fold into "other").
//
// Summing the sources' current values would not do: when a source leaves a
// sum (its target idles out, or it becomes busy enough for its own series)
// the sum goes down, Prometheus reads a counter reset and rate() jumps by
// the whole remaining total. So each exported series accumulates its
// sources' increases instead, with the counter reset rule of the history
// (a source that went backwards was recreated: its current value is the
// increase). An exported series never goes down while it exists; it leaves
// /metrics in the first interval with no source in it.
//
// Not thread-safe: one writer (the collector's listener).
#pragma once

#include <map>
#include <unordered_map>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace kscope {

class FoldedFamily {
 public:
  FoldedFamily(std::string name, std::string help, MetricType type);

  // One source this interval: its identity (the same labels every interval),
  // the labels it is exported under this interval, and its value (counters)
  // or histogram (histogram families). A histogram is read again at the
  // next update (as the previous value): it must live until then, as the
  // snapshot it belongs to does when the caller keeps the previous one.
  struct Member {
    const Labels* source = nullptr;
    Labels exported;
    double value = 0;
    const Histogram* histogram = nullptr;
  };

  // Adds each member's increase since the previous interval to its exported
  // series; exported series without members are dropped.
  void update(const std::vector<Member>& members);

  // The exported series, in label order.
  Family family() const;

 private:
  // Both maps are updated in place (an entry not seen in an interval is
  // erased at its end), so a steady host allocates little per interval.
  // Sources are keyed by a 64-bit hash of their labels, not the labels
  // (a copy of every source's labels was most of this class's memory): two
  // of ~10^4 sources colliding is a 1-in-10^11 event.
  struct Last {
    double value = 0;
    const Histogram* histogram = nullptr;  // in the previous snapshot
    uint64_t seen = 0;                     // the interval it was last seen in
  };
  struct Total {
    Series series;
    uint64_t seen = 0;
  };
  Family shape_;  // name, help, type; no series
  uint64_t interval_ = 0;
  std::unordered_map<uint64_t, Last> last_;  // hash of source labels -> last interval
  std::map<Labels, Total> totals_;           // exported labels -> accumulated increases
};

}  // namespace kscope
