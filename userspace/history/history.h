// The last hour of every metric, in memory, for the dashboard, `kscope top`
// and `kscope report`. Fed by a collector listener with each snapshot.
//
// What is kept: one frame per collector interval holding, for each series
// that changed, its increase since the previous snapshot (counters), its
// value (gauges) or the fine histogram buckets that grew (histograms, sparse).
// Idle series cost nothing. Older frames are merged into coarser ones (the
// tiers): by default 10 s frames after 5 minutes and 60 s frames after 15,
// so an hour at a 1 s interval is 300 + 60 + 45 frames, not 3600 (a busy
// series costs a third less than with one 10 s tier; the dashboard's 15
// minute view stays at 10 s or finer).
//
// Memory bound: the frames and the series table (with its strings) stay under
// `max_bytes` (config history.max_mib). When a busy host would exceed it, the oldest
// frames go first (retention shrinks below an hour) and `dropped_frames`
// counts them. Per frame: 16 bytes per changed series plus 4 bytes per
// grown histogram bucket (and 24 per gauge) (bench/history/history_bench sizes an hour).
//
// Thread safety: append() from one thread (the collector); query and stats
// from any thread, concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"
#include "common/duration.h"
#include "history/shared_strings.h"

namespace kscope {

// Frames that ended more than `after` ago are merged into frames of `step`.
struct HistoryTier {
  Nanos after{};
  Nanos step{};
};

struct HistoryOptions {
  Nanos retention = std::chrono::hours(1);
  std::vector<HistoryTier> tiers = {{std::chrono::minutes(5), std::chrono::seconds(10)},
                                    {std::chrono::minutes(15), std::chrono::seconds(60)}};
  size_t max_bytes = size_t{64} << 20;
};

struct HistoryStats {
  size_t bytes = 0;
  size_t frames = 0;
  size_t series = 0;
  uint64_t dropped_frames = 0;  // evicted before `retention` to stay under max_bytes
  std::chrono::system_clock::time_point oldest{};
  std::chrono::system_clock::time_point newest{};
};

// One sparse histogram bucket increase in 4 bytes: the fine bucket and up to
// kMaxCount observations. A larger increase takes several records with the
// same index; every reader adds them up. (Buckets are most of the history's
// memory: 8 bytes each made an hour at ~3,000 busy series hit max_bytes.)
struct HistoryBucket {
  static constexpr uint32_t kMaxCount = (uint32_t{1} << 25) - 1;
  uint32_t index : 7 = 0;
  uint32_t count : 25 = 0;
};
static_assert(KSCOPE_HIST_BUCKETS <= 128, "HistoryBucket::index holds 7 bits");
static_assert(sizeof(HistoryBucket) == 4);

// One series' change within a frame, in 16 bytes. A histogram's
// observations are the sum of its bucket counts, not stored again. The
// frame's bucket records and gauges lie in entry order, so an entry's
// buckets end where the next entry's begin and its gauge (if flagged) is
// the next one in Frame::gauges: read them with HistoryFrame::for_each.
// (With a count and a gauge index they took 24 bytes: bench/history's hour
// at 3,000 series was 21.8 MB, 18.7 MB at 16.)
struct HistoryEntry {
  static constexpr uint32_t kGaugeFlag = uint32_t{1} << 31;
  // Series ids take 31 bits: 2 billion series (new ones appear at the
  // churn of names on the host, a few a second at most).
  static constexpr uint32_t kMaxSeries = kGaugeFlag - 1;
  uint32_t series_and_flag = 0;  // series id | kGaugeFlag when it has a HistoryGauge
  uint32_t first_bucket = 0;     // into Frame::buckets
  double value = 0;              // counter increase, gauge sum of samples, histogram sum of seconds

  uint32_t series() const { return series_and_flag & ~kGaugeFlag; }
  bool has_gauge() const { return (series_and_flag & kGaugeFlag) != 0; }
};
static_assert(sizeof(HistoryEntry) == 16);

// A gauge's samples merged into one entry.
struct HistoryGauge {
  double min = 0, max = 0;
  uint32_t samples = 0;
};

struct HistoryFrame {
  std::chrono::system_clock::time_point start{}, end{};  // covers (start, end]
  std::vector<HistoryEntry> entries;                     // ascending series id
  std::vector<HistoryBucket> buckets;                    // in entry order
  std::vector<HistoryGauge> gauges;                      // in entry order

  double seconds() const { return std::chrono::duration<double>(end - start).count(); }
  size_t bytes() const;

  // Calls fn(entry, its bucket records, its gauge or nullptr) for each
  // entry in order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    size_t gauge = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      const HistoryEntry& e = entries[i];
      const size_t end = i + 1 < entries.size() ? entries[i + 1].first_bucket : buckets.size();
      const HistoryGauge* g = e.has_gauge() && gauge < gauges.size() ? &gauges[gauge++] : nullptr;
      fn(e, std::span<const HistoryBucket>(buckets.data() + e.first_bucket, end - e.first_bucket), g);
    }
  }
};

struct HistoryLabel {
  const std::string* name = nullptr;
  const std::string* value = nullptr;
};

// A series' identity, its strings held once in the History's SharedStrings
// (valid while the series is in the table, under the read lock).
struct HistorySeries {
  const std::string* name = nullptr;
  MetricType type = MetricType::kGauge;
  std::vector<HistoryLabel> labels;  // in the snapshot's order
  std::chrono::system_clock::time_point last_seen{};

  // The label's value, or nullptr when the series has no such label.
  const std::string* label(std::string_view label_name) const;
  bool same(std::string_view other_name, const Labels& other_labels) const;
  Labels copy_labels() const;
};

class History {
 public:
  explicit History(HistoryOptions options = {});

  // Adds the change from the previous snapshot; the first snapshot only sets
  // the baseline for counters and histograms.
  void append(std::shared_ptr<const Snapshot> snapshot);

  HistoryStats stats() const;
  const HistoryOptions& options() const { return options_; }

  // Metric names with at least one series in the history, and their types.
  std::map<std::string, MetricType> names() const;

  // Calls fn with a consistent view (frames oldest first, series by id)
  // under the read lock; fn must not call back into the History.
  template <class Fn>
  auto read(Fn&& fn) const {
    std::shared_lock lock(mu_);
    return fn(frames_, series_);
  }

 private:
  uint32_t intern(const Family& family, const Series& series, std::chrono::system_clock::time_point now);
  void compact(std::chrono::system_clock::time_point now);
  void compact_tier(std::chrono::system_clock::time_point limit, Nanos step);
  void evict(std::chrono::system_clock::time_point now);
  void forget(const HistorySeries& s);
  size_t bytes() const { return frame_bytes_ + series_bytes_ + strings_.bytes(); }

  HistoryOptions options_;
  mutable std::shared_mutex mu_;
  std::deque<HistoryFrame> frames_;
  std::unordered_map<uint32_t, HistorySeries> series_;
  SharedStrings strings_;  // the series' names, label names and values
  // Series ids by series_hash; a collision is told apart by name and labels.
  // (Keyed by the series' text, the keys held ~100 bytes a series and were
  // built for every series at every append.)
  std::unordered_multimap<uint64_t, uint32_t> ids_;
  uint32_t next_id_ = 1;
  size_t frame_bytes_ = 0;
  size_t series_bytes_ = 0;  // the table without its strings
  uint64_t dropped_frames_ = 0;
  // The previous snapshot, kept alive, and its series by id (sorted):
  // increases are computed against it without copying histograms.
  using SeriesIndex = std::vector<std::pair<uint32_t, const Series*>>;
  static const Series* find(const SeriesIndex& index, uint32_t id);
  std::shared_ptr<const Snapshot> previous_;
  SeriesIndex previous_index_;
  // Reused every append so that building a frame leaves no garbage between
  // the long-lived frames (each frame is then allocated once, at its size):
  // growth by doubling each second fragmented the heap, RSS ~2x the history.
  SeriesIndex index_scratch_;
  // A frame's entries as they are found, in snapshot order; sorted by series
  // and laid out in a HistoryFrame once complete.
  struct PendingEntry {
    static constexpr uint32_t kNoGauge = UINT32_MAX;
    uint32_t series = 0, first_bucket = 0, bucket_count = 0;  // into buckets_scratch_
    uint32_t gauge = kNoGauge;                                // into gauges_scratch_
    double value = 0;
  };
  std::vector<PendingEntry> entries_scratch_;
  std::vector<HistoryBucket> buckets_scratch_;
  std::vector<HistoryGauge> gauges_scratch_;
};

// Merges frames (any number, adjacent, oldest first) into one.
HistoryFrame merge_frames(const std::vector<const HistoryFrame*>& frames);

// A series' identity (name and labels, in order) as a 64-bit hash.
uint64_t series_hash(std::string_view name, const Labels& labels);
// The same hash of a series in the table.
uint64_t series_hash(const HistorySeries& series);

}  // namespace kscope
