#include "history/history.h"

#include <gtest/gtest.h>

#include "history/query.h"
#include "query/selector.h"

namespace kscope {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::seconds;

const Clock::time_point kT0 = Clock::time_point(seconds(1'800'000'000));

// A snapshot at kT0 + t seconds with one counter per comm, one gauge and one
// histogram whose every observation is `latency_ns`.
std::shared_ptr<const Snapshot> snap(int t, std::vector<std::pair<std::string, double>> counters,
                                     uint64_t hist_count = 0, uint64_t latency_ns = 1000, double gauge = 0) {
  auto s = std::make_shared<Snapshot>();
  s->taken_at = kT0 + seconds(t);
  Family c{"calls_total", "", MetricType::kCounter, {}};
  for (const auto& [comm, v] : counters) c.series.push_back({{{"comm", comm}}, v, {}});
  Family g{"queue_length", "", MetricType::kGauge, {{{{"cpu", "0"}}, gauge, {}}}};
  Family h{"latency_seconds", "", MetricType::kHistogram, {}};
  Histogram hist;
  for (uint64_t i = 0; i < hist_count; ++i) hist.record_ns(latency_ns);
  hist.sum_seconds = hist_count * latency_ns * 1e-9;
  h.series.push_back({{{"comm", "app"}}, 0, hist});
  s->families = {c, g, h};
  return s;
}

QuerySpec spec(const std::string& name, int from, int to, int step) {
  QuerySpec q;
  q.name = name;
  q.start = kT0 + seconds(from);
  q.end = kT0 + seconds(to);
  q.step = seconds(step);
  return q;
}

TEST(History, FirstSnapshotIsOnlyTheBaseline) {
  History h;
  h.append(snap(0, {{"a", 100}}));
  EXPECT_EQ(h.stats().frames, 0u);
  h.append(snap(1, {{"a", 103}}));
  EXPECT_EQ(h.stats().frames, 1u);
}

TEST(History, CounterRateIsIncreasePerSecondSummedOverSeries) {
  History h;
  h.append(snap(0, {{"a", 100}, {"b", 0}}));
  h.append(snap(1, {{"a", 103}, {"b", 5}}));
  h.append(snap(2, {{"a", 103}, {"b", 9}}));
  auto r = run_query(h, spec("calls_total", 1, 2, 1));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->aggregation, "rate");
  EXPECT_DOUBLE_EQ(*r->series[0].values[0], 8.0);
  EXPECT_DOUBLE_EQ(*r->series[0].values[1], 4.0);
}

TEST(History, GroupByLabelAndMatchers) {
  History h;
  h.append(snap(0, {{"a", 0}, {"b", 0}}));
  h.append(snap(2, {{"a", 2}, {"b", 10}}));
  auto q = spec("calls_total", 2, 2, 2);
  q.by = {"comm"};
  q.stat = Statistic::of(Statistic::Kind::kIncrease);
  auto r = run_query(h, q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].labels, (Labels{{"comm", "b"}}));  // highest first
  EXPECT_DOUBLE_EQ(*r->series[0].values[0], 10.0);
  EXPECT_DOUBLE_EQ(*r->series[1].values[0], 2.0);

  q.by.clear();
  q.matchers = *parse_selector(R"({comm=~"a|c"})");
  r = run_query(h, q);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(*r->series[0].values[0], 2.0);
}

TEST(History, CounterResetCountsFromZero) {
  History h;
  h.append(snap(0, {{"a", 50}}));
  h.append(snap(1, {{"a", 7}}));
  auto q = spec("calls_total", 1, 1, 1);
  q.stat = Statistic::of(Statistic::Kind::kIncrease);
  EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[0], 7.0);
}

TEST(History, HistogramQuantilesAndRate) {
  History h;
  h.append(snap(0, {}, 0));
  h.append(snap(1, {}, 100, 1'000'000));  // 100 calls of 1 ms
  auto q = spec("latency_seconds", 1, 1, 1);
  auto r = run_query(h, q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->aggregation, "p99");
  EXPECT_NEAR(*r->series[0].values[0], 1e-3, 0.2e-3);
  q.stat = Statistic::of(Statistic::Kind::kRate);
  EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[0], 100.0);
  q.stat = Statistic::of(Statistic::Kind::kAvg);
  EXPECT_NEAR(*run_query(h, q)->series[0].values[0], 1e-3, 1e-9);
  q.stat = Statistic::of(Statistic::Kind::kMin);
  EXPECT_LE(*run_query(h, q)->series[0].values[0], 1e-3);
  q.stat = Statistic::of(Statistic::Kind::kMax);
  EXPECT_GE(*run_query(h, q)->series[0].values[0], 1e-3);
}

TEST(History, IdleStepsAreNullForHistogramsAndZeroForCounters) {
  History h;
  h.append(snap(0, {{"a", 1}}, 10));
  h.append(snap(1, {{"a", 1}}, 10));  // nothing happened
  auto r = run_query(h, spec("latency_seconds", 1, 1, 1));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->series[0].values[0].has_value());
  auto c = run_query(h, spec("calls_total", 1, 1, 1));
  EXPECT_DOUBLE_EQ(*c->series[0].values[0], 0.0);
  // Before the history starts there are no frames: null.
  auto before = run_query(h, spec("calls_total", -10, -10, 1));
  EXPECT_FALSE(before->series[0].values[0].has_value());
}

TEST(History, GaugeMinMaxAvg) {
  History h;
  h.append(snap(0, {}, 0, 0, 1));
  h.append(snap(1, {}, 0, 0, 2));
  h.append(snap(2, {}, 0, 0, 6));
  auto q = spec("queue_length", 2, 2, 2);
  EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[0], 4.0);  // (2+6)/2; t=0 is before the window
  q.stat = Statistic::of(Statistic::Kind::kMax);
  EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[0], 6.0);
  q.stat = Statistic::of(Statistic::Kind::kMin);
  EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[0], 2.0);
}

// Frames store each entry's buckets and gauge by position: with gauge,
// counter and histogram series interleaved in id order (series that appear
// later get later ids), every one reads back its own, before and after
// frames are merged.
TEST(History, InterleavedSeriesKeepTheirOwnBucketsAndGauges) {
  HistoryOptions o;
  o.tiers = {{seconds(5), seconds(10)}};
  auto frame = [](int t, bool late) {
    auto s = std::make_shared<Snapshot>();
    s->taken_at = kT0 + seconds(t);
    Family c{"calls_total", "", MetricType::kCounter, {}};
    Family g{"queue_length", "", MetricType::kGauge, {}};
    Family h{"latency_seconds", "", MetricType::kHistogram, {}};
    const int n = late ? 3 : 2;
    for (int i = 0; i < n; ++i) {
      const std::string k = std::to_string(i);
      c.series.push_back({{{"comm", "c" + k}}, double(t * (i + 1)), {}});
      g.series.push_back({{{"cpu", k}}, double(10 * i + t % 4), {}});
      Histogram hist;
      hist.add_to_bucket(10 + 20 * i, uint64_t(t) * (i + 1));  // bucket and rate unique to the series
      hist.sum_seconds = t * (i + 1) * 1e-6;
      h.series.push_back({{{"comm", "h" + k}}, 0, hist});
    }
    s->families = {c, g, h};
    return s;
  };
  for (const int until : {4, 40}) {  // 4: no merge yet; 40: most frames merged
    History h(o);
    for (int t = 0; t <= until; ++t) h.append(frame(t, t >= 2));
    for (int i = 0; i < 3; ++i) {
      const std::string k = std::to_string(i);
      // The late series (i = 2) count from zero when first seen: all of it.
      auto q = spec("calls_total", 0, until, until);
      q.stat = Statistic::of(Statistic::Kind::kIncrease);
      q.matchers = {*LabelMatcher::make("comm", LabelMatcher::Op::kEqual, "c" + k)};
      EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[1], double(until * (i + 1)))
          << "counter " << k << " until " << until;
      q = spec("queue_length", 0, until, until);
      q.stat = Statistic::of(Statistic::Kind::kMax);
      q.matchers = {*LabelMatcher::make("cpu", LabelMatcher::Op::kEqual, k)};
      EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[1], 10.0 * i + 3) << "gauge " << k << " until " << until;
      q.stat = Statistic::of(Statistic::Kind::kMin);
      EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[1], 10.0 * i) << "gauge " << k << " until " << until;
      q = spec("latency_seconds", 0, until, until);
      q.stat = Statistic::of(Statistic::Kind::kIncrease);
      q.matchers = {*LabelMatcher::make("comm", LabelMatcher::Op::kEqual, "h" + k)};
      EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[1], double(until * (i + 1)))
          << "histogram " << k << " until " << until;
      q.stat = Statistic::of(Statistic::Kind::kMax);  // the upper bound of the highest bucket hit: its own bucket
      EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[1], hist_bucket_upper_ns(10 + 20 * i) * 1e-9)
          << "histogram " << k << " until " << until;
    }
  }
}

TEST(History, OldFramesAreMergedWithoutLosingCounts) {
  HistoryOptions o;
  o.tiers = {{seconds(30), seconds(10)}};
  History h(o);
  double total = 0;
  for (int t = 0; t <= 120; ++t) {
    h.append(snap(t, {{"a", total}}, static_cast<uint64_t>(t) * 3));
    total += t % 7;
  }
  auto st = h.stats();
  // 120 one-second frames: the last ~30 s fine, the rest in 10 s frames.
  EXPECT_LT(st.frames, 45u);
  EXPECT_GT(st.frames, 35u);
  auto q = spec("calls_total", 0, 120, 120);
  q.stat = Statistic::of(Statistic::Kind::kIncrease);
  auto r = run_query(h, q);
  ASSERT_TRUE(r.ok());
  double expected = 0;
  for (int t = 0; t < 119; ++t) expected += t % 7;  // increases seen by snapshots 1..120
  EXPECT_DOUBLE_EQ(*r->series[0].values[1], expected);
  q.name = "latency_seconds";
  EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[1], 120.0 * 3);
}

// The default tiers: an hour at 1 s is 300 one-second frames, then 10 s
// frames back to 15 minutes, then 60 s frames; nothing is lost on the way.
TEST(History, AnHourFallsIntoThreeTiers) {
  History h;
  double total = 0;
  const int end = 3600;
  for (int t = 0; t <= end; ++t) {
    h.append(snap(t, {{"a", total}}, static_cast<uint64_t>(t / 60)));
    total += 1 + t % 3;
  }
  size_t fine = 0, ten = 0, sixty = 0;
  h.read([&](const std::deque<HistoryFrame>& frames, const auto&) {
    for (const auto& f : frames) {
      const double age = std::chrono::duration<double>(kT0 + seconds(end) - f.end).count();
      const double len = f.seconds();
      if (len <= 1) {
        ++fine;
        EXPECT_LE(age, 5 * 60 + 10);
      } else if (len <= 10) {
        ++ten;
        EXPECT_LE(age, 15 * 60 + 60);
        EXPECT_GE(age, 5 * 60 - 10);
      } else {
        ++sixty;
        EXPECT_LE(len, 60);
        EXPECT_GE(age, 15 * 60 - 60);
      }
    }
    return 0;
  });
  EXPECT_NEAR(double(fine), 300, 12);
  EXPECT_NEAR(double(ten), 60, 6);
  EXPECT_NEAR(double(sixty), 45, 2);
  auto q = spec("calls_total", 0, end, end);
  q.stat = Statistic::of(Statistic::Kind::kIncrease);
  auto r = run_query(h, q);
  ASSERT_TRUE(r.ok());
  double expected = 0;
  for (int t = 0; t < end; ++t) expected += 1 + t % 3;  // the increases seen by snapshots 1..end
  EXPECT_DOUBLE_EQ(*r->series[0].values[1], expected);
  q.name = "latency_seconds";
  EXPECT_DOUBLE_EQ(*run_query(h, q)->series[0].values[1], end / 60.0);
}

// One bucket record holds 2^25 - 1 observations: a larger increase in one
// frame (a hot syscall over a merged 10 s frame) is split, never clipped,
// and survives merging; a histogram that went backwards counts from zero.
TEST(History, LargeBucketIncreasesAreKeptWhole) {
  HistoryOptions o;
  o.tiers = {{seconds(5), seconds(10)}};
  History h(o);
  auto hist_snap = [](int t, uint64_t n, double sum) {
    auto s = std::make_shared<Snapshot>();
    s->taken_at = kT0 + seconds(t);
    Histogram hist;
    hist.add_to_bucket(20, n);
    hist.add_to_bucket(21, n / 2);
    hist.sum_seconds = sum;
    s->families = {{"latency_seconds", "", MetricType::kHistogram, {{{{"comm", "hot"}}, 0, hist}}}};
    return s;
  };
  const uint64_t big = 100'000'000;  // ~3 records' worth in one bucket
  h.append(hist_snap(0, 0, 0));
  h.append(hist_snap(1, big, 1.0));
  h.append(hist_snap(2, 3 * big, 3.0));
  h.append(hist_snap(3, 5, 0.5));  // reset: counts 5 + 2 from zero
  for (int t = 4; t <= 30; ++t) h.append(hist_snap(t, 5, 0.5));
  EXPECT_LT(h.stats().frames, 29u);  // the first seconds were merged
  auto q = spec("latency_seconds", 0, 30, 30);
  q.stat = Statistic::of(Statistic::Kind::kIncrease);
  auto r = run_query(h, q);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  // Bucket 20 grew by 3 big, bucket 21 by 1.5 big, then 5 + 2 after the reset.
  EXPECT_DOUBLE_EQ(*r->series[0].values[1], static_cast<double>(3 * big + 3 * big / 2 + 7));
}

TEST(History, RetentionAndByteBudgetEvictOldestFrames) {
  HistoryOptions o;
  o.retention = seconds(20);
  o.tiers = {{seconds(1000), seconds(10)}};
  History h(o);
  for (int t = 0; t <= 50; ++t) h.append(snap(t, {{"a", double(t)}}));
  EXPECT_EQ(h.stats().frames, 20u);
  EXPECT_EQ(h.stats().dropped_frames, 0u);

  o.retention = std::chrono::hours(1);
  o.max_bytes = 4096;
  History small(o);
  std::vector<std::pair<std::string, double>> many;
  for (int i = 0; i < 20; ++i) many.emplace_back("comm" + std::to_string(i), 0);
  for (int t = 0; t <= 50; ++t) {
    for (auto& [k, v] : many) v += 1;
    small.append(snap(t, many));
    EXPECT_LE(small.stats().bytes, o.max_bytes + 4096) << "t=" << t;
  }
  EXPECT_GT(small.stats().dropped_frames, 0u);
  EXPECT_LT(small.stats().frames, 50u);
}

// A 5 s history where `leaver` counts for the first second, then only
// `stayer` for 18 s more: past the retention, the leaver is forgotten.
std::unique_ptr<History> history_after_one_left(const std::string& leaver, const std::string& stayer) {
  HistoryOptions o;
  o.retention = seconds(5);
  auto h = std::make_unique<History>(o);
  h->append(snap(0, {{leaver, 0}}));
  h->append(snap(1, {{leaver, 5}}));
  for (int t = 2; t < 20; ++t) h->append(snap(t, {{stayer, double(t)}}));
  return h;
}

TEST(History, SeriesThatLeftAreForgottenWithTheirFrames) {
  auto held = history_after_one_left("gone", "stays");
  History& h = *held;
  auto r = run_query(h, [] {
    auto q = spec("calls_total", 0, 19, 1);
    q.by = {"comm"};
    return q;
  }());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].labels[0].second, "stays");
}

// The table holds each string once for every series using it, and lets it
// go with the last: once the leaver is forgotten, a long comm left nothing.
TEST(History, ForgottenSeriesGiveBackTheirStrings) {
  const std::string long_comm(400, 'L');
  auto long_leaver = history_after_one_left(long_comm, "stays");
  auto short_leaver = history_after_one_left("s", "stays");
  EXPECT_EQ(long_leaver->stats().series, short_leaver->stats().series);
  EXPECT_EQ(long_leaver->stats().bytes, short_leaver->stats().bytes);

  History h;
  h.append(snap(0, {{long_comm, 0}}));
  const size_t one = h.stats().bytes;
  h.append(snap(1, {{long_comm, 1}}));
  EXPECT_GE(one, 400u);
  h.read([&](const std::deque<HistoryFrame>&, const auto& series) {
    for (const auto& [id, s] : series) {
      EXPECT_EQ(series_hash(s), series_hash(*s.name, s.copy_labels())) << *s.name;
      if (*s.name == "calls_total") {
        ASSERT_NE(s.label("comm"), nullptr);
        EXPECT_EQ(*s.label("comm"), long_comm);
        EXPECT_EQ(s.label("cpu"), nullptr);
        // The histogram's series shares "comm" with this one.
        for (const auto& [other_id, o] : series) {
          if (*o.name == "latency_seconds") {
            EXPECT_EQ(o.labels[0].name, s.labels[0].name);
          }
        }
      }
    }
  });
}

TEST(History, ASeriesThatLeftAndCameBackIsNewAgain) {
  auto held = history_after_one_left("back", "other");
  History& h = *held;
  const size_t without = h.stats().series;
  // Back with its old count: a new process under the name, counted from zero.
  h.append(snap(20, {{"other", 20}, {"back", 7}}));
  h.append(snap(21, {{"other", 21}, {"back", 9}}));
  EXPECT_EQ(h.stats().series, without + 1);
  auto r = run_query(h, [] {
    auto q = spec("calls_total", 20, 21, 1);
    q.by = {"comm"};
    q.stat = Statistic::of(Statistic::Kind::kIncrease);
    return q;
  }());
  ASSERT_TRUE(r.ok());
  double back = -1;
  for (const auto& series : r->series) {
    if (series.labels[0].second == "back") back = series.values.back().value_or(-1);
  }
  EXPECT_EQ(back, 2);
}

// Label values are arbitrary bytes: values that would read alike once
// joined stay distinct series.
TEST(History, SeriesIdentityIsNotFooledByJoinedLabels) {
  auto frame = [](int t, double a, double b) {
    auto s = std::make_shared<Snapshot>();
    s->taken_at = kT0 + seconds(t);
    Family c{"calls_total", "", MetricType::kCounter, {}};
    c.series.push_back({{{"comm", "x,y=z"}}, a, {}});
    c.series.push_back({{{"comm", "x"}, {"y", "z"}}, b, {}});
    s->families = {c};
    return s;
  };
  History h;
  h.append(frame(0, 0, 0));
  h.append(frame(1, 3, 5));
  EXPECT_EQ(h.stats().series, 2u);
  EXPECT_NE(series_hash("calls_total", {{"comm", "x,y=z"}}), series_hash("calls_total", {{"comm", "x"}, {"y", "z"}}));
  EXPECT_NE(series_hash("ab", {}), series_hash("a", {{"b", ""}}));
}

TEST(Query, RejectsBadRanges) {
  History h;
  EXPECT_FALSE(run_query(h, spec("x", 10, 0, 1)).ok());
  EXPECT_FALSE(run_query(h, spec("x", 0, 10, 0)).ok());
  auto big = spec("x", 0, 100000, 1);
  EXPECT_FALSE(run_query(h, big).ok());
  auto r = run_query(h, spec("x", 0, 10, 1));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->found);
}


}  // namespace
}  // namespace kscope
