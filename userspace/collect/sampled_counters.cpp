#include "collect/sampled_counters.h"

#include <algorithm>
#include <cmath>

namespace kscope {
namespace {

std::string track_key(const std::string& family, const Labels& labels) {
  std::string key = family;
  for (const auto& [name, value] : labels) {
    key += '\0';
    key += name;
    key += '\0';
    key += value;
  }
  return key;
}

}  // namespace

double scaled_increase(double raw_increase, const DutyCycle::Window& w) {
  if (w.attached_seconds <= 0 || w.wall_seconds <= 0 || raw_increase <= 0) return 0;
  return raw_increase * (w.wall_seconds / w.attached_seconds);
}

SampledCounters::Estimate& SampledCounters::Track::bucket(int i) {
  if (buckets.empty()) first_bucket = i;
  if (i < first_bucket) {
    buckets.insert(buckets.begin(), static_cast<size_t>(first_bucket - i), Estimate{});
    first_bucket = i;
  }
  auto k = static_cast<size_t>(i - first_bucket);
  if (k >= buckets.size()) buckets.resize(k + 1);
  return buckets[k];
}

SampledCounters::SampledCounters(Nanos spread, Clock::time_point start)
    : spread_(std::max(spread, Nanos(1))), last_close_(start) {}

void SampledCounters::close(Track& t, const Series& raw, const DutyCycle::Window& w) {
  t.value.commit();
  t.sum.commit();
  for (auto& b : t.buckets) b.commit();
  // A first window holds counts from before the cycle began: base only.
  DutyCycle::Window window = w;
  if (w.first) window.attached_seconds = 0;
  if (raw.histogram) {
    Histogram delta = raw.histogram->delta_since(t.raw_histogram);  // a reset counts from 0
    t.raw_histogram = *raw.histogram;
    for (int i = delta.begin_bucket(); i < delta.end_bucket(); ++i) {
      if (uint64_t n = delta.bucket(i)) t.bucket(i).pending = scaled_increase(static_cast<double>(n), window);
    }
    t.sum.pending = scaled_increase(delta.sum_seconds, window);
  } else {
    double delta = raw.value >= t.raw_value ? raw.value - t.raw_value : raw.value;
    t.raw_value = raw.value;
    t.value.pending = scaled_increase(delta, window);
  }
}

void SampledCounters::write(const Track& t, double fraction, Series& out) {
  if (out.histogram) {
    Histogram h;
    for (size_t k = 0; k < t.buckets.size(); ++k) {
      // Rounded down (a bucket never claims a call not estimated); the
      // epsilon keeps 100 * 0.3 from becoming 29.
      auto n = static_cast<uint64_t>(std::floor(t.buckets[k].at(fraction) + 1e-6));
      if (n > 0) h.add_to_bucket(t.first_bucket + static_cast<int>(k), n);
    }
    h.sum_seconds = t.sum.at(fraction);
    out.histogram = std::move(h);
  } else {
    out.value = t.value.at(fraction);
  }
  out.labels.emplace_back(kSampledLabel, "true");
}

void SampledCounters::apply(std::vector<Family>& families, size_t first, Clock::time_point now,
                            const std::optional<DutyCycle::Window>& closed) {
  ++round_;
  if (closed) last_close_ = now;
  double fraction = std::clamp(std::chrono::duration<double>(now - last_close_).count() /
                                   std::chrono::duration<double>(spread_).count(),
                               0.0, 1.0);
  for (size_t f = first; f < families.size(); ++f) {
    Family& family = families[f];
    for (Series& s : family.series) {
      Track& t = tracks_[track_key(family.name, s.labels)];
      t.seen = round_;
      if (closed) close(t, s, *closed);
      write(t, fraction, s);
    }
  }
  // A series the probe no longer reports (aged out, folded) is forgotten:
  // if it comes back it counts from its new raw values.
  std::erase_if(tracks_, [this](const auto& entry) { return entry.second.seen != round_; });
}

}  // namespace kscope
