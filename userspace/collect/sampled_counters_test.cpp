#include "collect/sampled_counters.h"

#include <gtest/gtest.h>

namespace kscope {

using namespace std::chrono_literals;
using Clock = SampledCounters::Clock;

namespace {

DutyCycle::Window window(double attached, double wall, bool first = false) {
  DutyCycle::Window w;
  w.attached_seconds = attached;
  w.wall_seconds = wall;
  w.first = first;
  return w;
}

// One collection: a counter family and a histogram family as the probe reads
// them (raw, cumulative), run through `sampled`.
struct Raw {
  double errors = 0;
  Histogram latency;
};
std::vector<Family> collect(SampledCounters& sampled, const Raw& raw, Clock::time_point now,
                            const std::optional<DutyCycle::Window>& closed) {
  std::vector<Family> out;
  out.push_back({"kscope_build_info", "", MetricType::kGauge, {{{}, 1, {}}}});  // not the probe's
  out.push_back({"kscope_syscall_errors_total", "", MetricType::kCounter, {{{{"syscall", "openat"}}, raw.errors, {}}}});
  out.push_back({"kscope_syscall_latency_seconds", "", MetricType::kHistogram,
                 {{{{"syscall", "openat"}}, 0, raw.latency}}});
  sampled.apply(out, 1, now, closed);
  return out;
}

Histogram with(int bucket, uint64_t n, double sum) {
  Histogram h;
  h.add_to_bucket(bucket, n);
  h.sum_seconds = sum;
  return h;
}

}  // namespace

TEST(SampledCounters, ScaledIncreaseIsWallOverAttached) {
  EXPECT_DOUBLE_EQ(scaled_increase(100, window(1, 10)), 1000);
  EXPECT_DOUBLE_EQ(scaled_increase(100, window(1.25, 10)), 800);  // attached longer: scaled less
  EXPECT_DOUBLE_EQ(scaled_increase(100, window(0, 10)), 0);       // never attached: nothing claimed
  EXPECT_DOUBLE_EQ(scaled_increase(0, window(1, 10)), 0);
}

TEST(SampledCounters, EachWindowIsScaledAndSpreadOverTheNextPeriod) {
  auto t0 = Clock::time_point{} + 50s;
  SampledCounters sampled(10s, t0);
  Raw raw;
  raw.errors = 7;  // counted before the cycle began
  raw.latency = with(40, 7, 0.7);
  auto out = collect(sampled, raw, t0 + 1s, std::nullopt);
  EXPECT_EQ(out[0].series[0].labels.size(), 0u);  // before `first`: untouched
  EXPECT_EQ(out[1].series[0].value, 0);
  EXPECT_EQ(*out[1].series[0].label("sampled"), "true");
  EXPECT_EQ(out[2].series[0].histogram->count(), 0u);

  // Window 0 (the first) only sets the base.
  raw.errors = 10;
  raw.latency = with(40, 10, 1.0);
  out = collect(sampled, raw, t0 + 10s, window(1, 10, true));
  EXPECT_EQ(out[1].series[0].value, 0);

  // Window 1: 20 more errors and 20 more calls while attached 1 s of 10 s.
  raw.errors = 30;
  Histogram h = with(40, 20, 2.0);
  h.add_to_bucket(41, 10);
  h.sum_seconds = 3.0;
  raw.latency = h;
  auto t1 = t0 + 20s;
  out = collect(sampled, raw, t1, window(1, 10));
  EXPECT_EQ(out[1].series[0].value, 0);  // spread from here on
  for (int s = 1; s <= 10; ++s) {
    out = collect(sampled, raw, t1 + std::chrono::seconds(s), std::nullopt);
    EXPECT_NEAR(out[1].series[0].value, 20.0 * 10 * s / 10, 1e-9) << s;
    const Histogram& lat = *out[2].series[0].histogram;
    EXPECT_EQ(lat.bucket(40), static_cast<uint64_t>(10 * 10 * s / 10)) << s;
    EXPECT_EQ(lat.bucket(41), static_cast<uint64_t>(10 * 10 * s / 10)) << s;
    EXPECT_NEAR(lat.sum_seconds, 2.0 * 10 * s / 10, 1e-9) << s;
  }
  out = collect(sampled, raw, t1 + 15s, std::nullopt);
  EXPECT_NEAR(out[1].series[0].value, 200, 1e-9);  // held once spread

  // Window 2, attached 2 s of 10 s: 10 more errors count 50; the counter
  // never goes down across the close.
  raw.errors = 40;
  auto t2 = t1 + 20s;
  out = collect(sampled, raw, t2, window(2, 10));
  EXPECT_NEAR(out[1].series[0].value, 200, 1e-9);
  out = collect(sampled, raw, t2 + 5s, std::nullopt);
  EXPECT_NEAR(out[1].series[0].value, 225, 1e-9);
  // A close before the spread ended adds the rest at once.
  raw.errors = 40;
  out = collect(sampled, raw, t2 + 6s, window(1, 6));
  EXPECT_NEAR(out[1].series[0].value, 250, 1e-9);
}

TEST(SampledCounters, QuantilesAreThoseOfTheCallsSeen) {
  auto t0 = Clock::time_point{};
  SampledCounters sampled(4s, t0);
  Raw raw;
  collect(sampled, raw, t0 + 4s, window(1, 4, true));
  Histogram h;
  for (int i = 0; i < 90; ++i) h.record_ns(1000);
  for (int i = 0; i < 10; ++i) h.record_ns(1000000);
  raw.latency = h;
  collect(sampled, raw, t0 + 8s, window(1, 4));
  auto out = collect(sampled, raw, t0 + 12s, std::nullopt);
  const Histogram& scaled = *out[2].series[0].histogram;
  EXPECT_EQ(scaled.count(), 400u);
  EXPECT_NEAR(scaled.quantile_seconds(0.5), h.quantile_seconds(0.5), 1e-12);
  EXPECT_NEAR(scaled.quantile_seconds(0.99), h.quantile_seconds(0.99), 1e-12);
}

TEST(SampledCounters, AResetCountsFromZeroAndAVanishedSeriesIsForgotten) {
  auto t0 = Clock::time_point{};
  SampledCounters sampled(4s, t0);
  Raw raw;
  raw.errors = 100;
  collect(sampled, raw, t0 + 4s, window(1, 4, true));
  raw.errors = 3;  // the kernel entry was deleted and recreated
  collect(sampled, raw, t0 + 8s, window(1, 4));
  auto out = collect(sampled, raw, t0 + 12s, std::nullopt);
  EXPECT_NEAR(out[1].series[0].value, 12, 1e-9);
  EXPECT_EQ(sampled.tracked_series(), 2u);
  std::vector<Family> none{{"kscope_syscall_errors_total", "", MetricType::kCounter, {}}};
  sampled.apply(none, 0, t0 + 13s, std::nullopt);
  EXPECT_EQ(sampled.tracked_series(), 0u);
}

}  // namespace kscope
