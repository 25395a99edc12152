#include "history/history.h"

#include <algorithm>
#include <mutex>
#include <optional>

namespace kscope {
namespace {

using Clock = std::chrono::system_clock;

// Per series beside its shared strings: its node in the table, its node in
// ids_, and the label array.
constexpr size_t kSeriesOverhead = 112;
constexpr size_t kBytesPerLabel = sizeof(HistoryLabel);

// Appends an increase of `count` in fine bucket `index` (nothing for 0), in
// as many records as it needs. Beyond 64 full records (2^31 observations of
// one bucket in one frame) it saturates.
void push_bucket(std::vector<HistoryBucket>& out, size_t index, uint64_t count) {
  count = std::min<uint64_t>(count, uint64_t{HistoryBucket::kMaxCount} * 64);
  while (count > 0) {
    const uint32_t part = static_cast<uint32_t>(std::min<uint64_t>(count, HistoryBucket::kMaxCount));
    HistoryBucket b;
    b.index = static_cast<uint32_t>(index) & 0x7F;
    b.count = part;
    out.push_back(b);
    count -= part;
  }
}

}  // namespace

size_t HistoryFrame::bytes() const {
  return sizeof(HistoryFrame) + entries.capacity() * sizeof(HistoryEntry) +
         buckets.capacity() * sizeof(HistoryBucket) + gauges.capacity() * sizeof(HistoryGauge);
}

namespace {

// FNV-1a over the name and each label, every string length-prefixed: label
// values may contain any byte, so no separator is safe on its own.
class SeriesHasher {
 public:
  void text(std::string_view t) {
    const uint64_t n = t.size();
    bytes(&n, sizeof(n));
    bytes(t.data(), t.size());
  }
  uint64_t value() const { return h_; }

 private:
  void bytes(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 1099511628211ull;
  }
  uint64_t h_ = 14695981039346656037ull;
};

}  // namespace

uint64_t series_hash(std::string_view name, const Labels& labels) {
  SeriesHasher h;
  h.text(name);
  for (const auto& [k, v] : labels) {
    h.text(k);
    h.text(v);
  }
  return h.value();
}

uint64_t series_hash(const HistorySeries& series) {
  SeriesHasher h;
  h.text(*series.name);
  for (const HistoryLabel& l : series.labels) {
    h.text(*l.name);
    h.text(*l.value);
  }
  return h.value();
}

History::History(HistoryOptions options) : options_(options) {}

const std::string* HistorySeries::label(std::string_view label_name) const {
  const std::string* v = nullptr;
  for (const HistoryLabel& l : labels) {
    if (*l.name == label_name) v = l.value;  // the last wins, as in Labels readers
  }
  return v;
}

bool HistorySeries::same(std::string_view other_name, const Labels& other_labels) const {
  if (*name != other_name || labels.size() != other_labels.size()) return false;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (*labels[i].name != other_labels[i].first || *labels[i].value != other_labels[i].second) return false;
  }
  return true;
}

Labels HistorySeries::copy_labels() const {
  Labels out;
  out.reserve(labels.size());
  for (const HistoryLabel& l : labels) out.emplace_back(*l.name, *l.value);
  return out;
}

uint32_t History::intern(const Family& family, const Series& series, Clock::time_point now) {
  const uint64_t hash = series_hash(family.name, series.labels);
  for (auto [it, end] = ids_.equal_range(hash); it != end; ++it) {
    HistorySeries& known = series_.at(it->second);
    if (known.same(family.name, series.labels)) {
      known.last_seen = now;
      return it->second;
    }
  }
  // Past 2^31 series, ids start over, skipping those in use: a series is
  // dropped only once no frame can mention it (evict), so a reused id names
  // one series in every frame.
  uint32_t id = 0;
  do {
    if (next_id_ > HistoryEntry::kMaxSeries) next_id_ = 1;
    id = next_id_++;
  } while (series_.contains(id));
  HistorySeries s;
  s.name = strings_.acquire(family.name);
  s.type = family.type;
  s.labels.reserve(series.labels.size());
  for (const auto& [k, v] : series.labels) s.labels.push_back({strings_.acquire(k), strings_.acquire(v)});
  s.last_seen = now;
  series_bytes_ += kSeriesOverhead + kBytesPerLabel * s.labels.size();
  series_.emplace(id, std::move(s));
  ids_.emplace(hash, id);
  return id;
}

void History::forget(const HistorySeries& s) {
  series_bytes_ -= kSeriesOverhead + kBytesPerLabel * s.labels.size();
  strings_.release(s.name);
  for (const HistoryLabel& l : s.labels) {
    strings_.release(l.name);
    strings_.release(l.value);
  }
}

void History::append(std::shared_ptr<const Snapshot> snapshot) {
  std::unique_lock lock(mu_);
  const Clock::time_point now = snapshot->taken_at;
  const bool baseline = previous_ == nullptr;
  const Clock::time_point previous_start = baseline ? now : previous_->taken_at;
  std::vector<PendingEntry>& entries = entries_scratch_;
  std::vector<HistoryBucket>& buckets = buckets_scratch_;
  std::vector<HistoryGauge>& gauges = gauges_scratch_;
  entries.clear();
  buckets.clear();
  gauges.clear();
  SeriesIndex& index = index_scratch_;
  index.clear();

  for (const auto& family : snapshot->families) {
    for (const auto& series : family.series) {
      uint32_t id = intern(family, series, now);
      index.emplace_back(id, &series);
      const Series* prev = find(previous_index_, id);
      PendingEntry e;
      e.series = id;
      switch (family.type) {
        case MetricType::kGauge:
          e.value = series.value;
          e.gauge = static_cast<uint32_t>(gauges.size());
          gauges.push_back({series.value, series.value, 1});
          entries.push_back(e);
          break;
        case MetricType::kCounter: {
          if (baseline) break;
          // A series first seen after the baseline counts from zero: a new
          // process's calls all happened since it appeared. A counter that
          // went backwards was reset and counts from zero too (counter_delta).
          e.value = counter_delta(series.value, prev ? prev->value : 0);
          if (e.value > 0) entries.push_back(e);
          break;
        }
        case MetricType::kHistogram: {
          if (baseline || !series.histogram) break;
          // The increase since the previous snapshot, bucket by bucket, with
          // Histogram::delta_since's rule (a bucket that went backwards: the
          // map entry was recreated, count all of it) but no copy.
          const Histogram& now_h = *series.histogram;
          const Histogram* before = prev && prev->histogram ? &*prev->histogram : nullptr;
          if (before && now_h.went_backwards_from(*before)) before = nullptr;
          e.first_bucket = static_cast<uint32_t>(buckets.size());
          for (int i = now_h.begin_bucket(); i < now_h.end_bucket(); ++i) {
            push_bucket(buckets, static_cast<size_t>(i), now_h.bucket(i) - (before ? before->bucket(i) : 0));
          }
          e.bucket_count = static_cast<uint32_t>(buckets.size()) - e.first_bucket;
          if (e.bucket_count == 0) break;
          e.value = before ? std::max(0.0, now_h.sum_seconds - before->sum_seconds) : now_h.sum_seconds;
          entries.push_back(e);
          break;
        }
      }
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const PendingEntry& a, const PendingEntry& b) { return a.series < b.series; });
  std::sort(index.begin(), index.end());
  previous_ = std::move(snapshot);
  std::swap(previous_index_, index_scratch_);
  if (!baseline) {
    // Allocated once, at its size, with buckets and gauges in entry order.
    HistoryFrame kept;
    kept.start = previous_start;
    kept.end = now;
    kept.entries.reserve(entries.size());
    kept.buckets.reserve(buckets.size());
    kept.gauges.reserve(gauges.size());
    for (const PendingEntry& p : entries) {
      HistoryEntry e;
      e.series_and_flag = p.series | (p.gauge != PendingEntry::kNoGauge ? HistoryEntry::kGaugeFlag : 0);
      e.first_bucket = static_cast<uint32_t>(kept.buckets.size());
      e.value = p.value;
      kept.buckets.insert(kept.buckets.end(), buckets.begin() + p.first_bucket,
                          buckets.begin() + p.first_bucket + p.bucket_count);
      if (p.gauge != PendingEntry::kNoGauge) kept.gauges.push_back(gauges[p.gauge]);
      kept.entries.push_back(e);
    }
    frame_bytes_ += kept.bytes();
    frames_.push_back(std::move(kept));
  }
  compact(now);
  evict(now);
}

const Series* History::find(const SeriesIndex& index, uint32_t id) {
  auto it = std::lower_bound(index.begin(), index.end(), id,
                             [](const std::pair<uint32_t, const Series*>& e, uint32_t v) { return e.first < v; });
  return it != index.end() && it->first == id ? it->second : nullptr;
}

HistoryFrame merge_frames(const std::vector<const HistoryFrame*>& frames) {
  HistoryFrame out;
  if (frames.empty()) return out;
  out.start = frames.front()->start;
  out.end = frames.back()->end;
  // Gather each series' entries across the frames, in series order.
  struct Part {
    double value;
    std::span<const HistoryBucket> buckets;
    const HistoryGauge* gauge;
  };
  std::map<uint32_t, std::vector<Part>> by_series;
  for (const auto* f : frames) {
    f->for_each([&](const HistoryEntry& e, std::span<const HistoryBucket> buckets, const HistoryGauge* gauge) {
      by_series[e.series()].push_back({e.value, buckets, gauge});
    });
  }
  std::vector<uint64_t> fine;
  for (const auto& [id, parts] : by_series) {
    HistoryEntry m;
    m.series_and_flag = id;
    m.first_bucket = static_cast<uint32_t>(out.buckets.size());
    std::optional<HistoryGauge> gauge;
    fine.assign(KSCOPE_HIST_BUCKETS, 0);
    bool has_buckets = false;
    for (const Part& p : parts) {
      m.value += p.value;
      if (p.gauge != nullptr) {
        const HistoryGauge& g = *p.gauge;
        if (!gauge) gauge = g;
        else gauge = HistoryGauge{std::min(gauge->min, g.min), std::max(gauge->max, g.max), gauge->samples + g.samples};
      }
      for (const HistoryBucket& hb : p.buckets) {
        fine[hb.index] += hb.count;
        has_buckets = true;
      }
    }
    if (has_buckets) {
      for (size_t i = 0; i < fine.size(); ++i) push_bucket(out.buckets, i, fine[i]);
    }
    if (gauge) {
      m.series_and_flag |= HistoryEntry::kGaugeFlag;
      out.gauges.push_back(*gauge);
    }
    out.entries.push_back(m);
  }
  out.entries.shrink_to_fit();
  out.buckets.shrink_to_fit();
  out.gauges.shrink_to_fit();
  return out;
}

void History::compact(Clock::time_point now) {
  for (const auto& tier : options_.tiers) {
    if (tier.step > Nanos(0)) compact_tier(now - tier.after, tier.step);
  }
}

void History::compact_tier(Clock::time_point limit, Nanos step) {
  auto slot = [&](const HistoryFrame& f) { return f.end.time_since_epoch() / step; };
  // Frames are oldest first. Merge each run of frames that ended before
  // `limit` and share a slot once the slot is complete, i.e. a later frame
  // already lies in a later slot. Older runs were merged by earlier calls.
  size_t i = 0;
  while (i < frames_.size() && frames_[i].end <= limit) {
    size_t j = i;
    while (j + 1 < frames_.size() && slot(frames_[j + 1]) == slot(frames_[i])) ++j;
    if (j + 1 >= frames_.size() || frames_[j].end > limit) break;  // slot not complete
    if (j > i) {
      std::vector<const HistoryFrame*> run;
      for (size_t k = i; k <= j; ++k) {
        run.push_back(&frames_[k]);
        frame_bytes_ -= frames_[k].bytes();
      }
      HistoryFrame merged = merge_frames(run);
      frame_bytes_ += merged.bytes();
      frames_[i] = std::move(merged);
      frames_.erase(frames_.begin() + static_cast<std::ptrdiff_t>(i + 1),
                    frames_.begin() + static_cast<std::ptrdiff_t>(j + 1));
    }
    ++i;
  }
}

void History::evict(Clock::time_point now) {
  const auto horizon = now - options_.retention;
  while (!frames_.empty() && (frames_.front().end <= horizon ||
                              (bytes() > options_.max_bytes && frames_.size() > 1))) {
    if (frames_.front().end > horizon) ++dropped_frames_;
    frame_bytes_ -= frames_.front().bytes();
    frames_.pop_front();
  }
  // Series no frame can mention any more, and not in the latest snapshot.
  const auto oldest = frames_.empty() ? now : frames_.front().start;
  for (auto it = series_.begin(); it != series_.end();) {
    if (it->second.last_seen < oldest && find(previous_index_, it->first) == nullptr) {
      for (auto [pos, end] = ids_.equal_range(series_hash(it->second)); pos != end; ++pos) {
        if (pos->second == it->first) {
          ids_.erase(pos);
          break;
        }
      }
      forget(it->second);
      it = series_.erase(it);
    } else {
      ++it;
    }
  }
}

HistoryStats History::stats() const {
  std::shared_lock lock(mu_);
  HistoryStats s;
  s.bytes = bytes();
  s.frames = frames_.size();
  s.series = series_.size();
  s.dropped_frames = dropped_frames_;
  if (!frames_.empty()) {
    s.oldest = frames_.front().start;
    s.newest = frames_.back().end;
  }
  return s;
}

std::map<std::string, MetricType> History::names() const {
  std::shared_lock lock(mu_);
  std::map<std::string, MetricType> out;
  for (const auto& [id, s] : series_) out.emplace(*s.name, s.type);
  return out;
}

}  // namespace kscope
