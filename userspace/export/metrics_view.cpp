#include "export/metrics_view.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace kscope {
namespace {

const std::string kSyscall = "syscall";
const std::string kOther = "other";

// The n values with the most activity (ties: by name). "other" never ranks:
// it is where the rest go, whatever its size.
std::set<std::string> busiest(const std::map<std::string, uint64_t>& totals, size_t n) {
  std::vector<std::pair<std::string, uint64_t>> ranked;
  for (const auto& [k, v] : totals) {
    if (k != kOther) ranked.emplace_back(k, v);
  }
  const size_t keep = std::min(n, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep), ranked.end(),
                    [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  std::set<std::string> out;
  for (size_t i = 0; i < keep; ++i) out.insert(ranked[i].first);
  return out;
}

// `labels` with the values of `a` and `b` (when named) replaced.
Labels relabel(const Labels& labels, const std::string& a, const std::string& va, const std::string& b,
               const std::string& vb) {
  Labels out = labels;
  for (auto& [k, v] : out) {
    if (k == a) {
      v = va;
    } else if (!b.empty() && k == b) {
      v = vb;
    }
  }
  return out;
}

const std::string& value_of(const Series& s, const std::string& label) {
  static const std::string kNone;
  if (label.empty()) return kNone;
  const std::string* v = s.label(label);
  return v ? *v : kNone;
}

uint64_t calls(const Series& s) { return s.histogram ? s.histogram->count() : 0; }

}  // namespace

MetricsView::MetricsView(ExportConfig config, std::string breakdown_label)
    : config_(config),
      label_(std::move(breakdown_label)),
      latency_("kscope_syscall_latency_seconds",
               "Time from syscall entry to exit: histograms for the busiest syscalls of the busiest targets, "
               "the rest in syscall or target \"other\" (config export.histogram_*).",
               MetricType::kHistogram),
      calls_("kscope_syscalls_total",
             "Syscalls completed, per target: its busiest syscalls by name, the rest in syscall \"other\" "
             "(config export.counter_syscalls).",
             MetricType::kCounter),
      seconds_("kscope_syscall_seconds_total",
               "Time spent in syscalls (entry to exit), per target and syscall as kscope_syscalls_total.",
               MetricType::kCounter),
      runqueue_("kscope_runqueue_latency_seconds",
                "Time from wakeup to running on a CPU: histograms for the targets that waited most often, "
                "the rest in \"other\" (config export.histogram_targets).",
                MetricType::kHistogram) {}

void MetricsView::update(std::shared_ptr<const Snapshot> snapshot) {
  auto out = std::make_shared<MetricsExport>();
  std::vector<std::pair<const Family*, size_t>> order;  // source family, or folded index when null
  for (const auto& f : snapshot->families) {
    const size_t before = out->folded.size();
    if (!export_node_metrics_ && f.name.starts_with("node_")) continue;
    if (f.name == "kscope_syscall_latency_seconds" && f.type == MetricType::kHistogram) {
      fold_syscalls(f, out->folded);
    } else if (f.name == "kscope_runqueue_latency_seconds" && f.type == MetricType::kHistogram) {
      fold_runqueue(f, out->folded);
    } else {
      order.emplace_back(&f, 0);
      continue;
    }
    for (size_t i = before; i < out->folded.size(); ++i) order.emplace_back(nullptr, i);
  }
  // Pointers into `folded` only now that it is complete.
  for (const auto& [f, i] : order) out->families.push_back(f ? f : &out->folded[i]);
  previous_ = snapshot;
  out->source = std::move(snapshot);
  std::lock_guard lock(mu_);
  latest_ = std::move(out);
}

std::shared_ptr<const MetricsExport> MetricsView::latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

void MetricsView::fold_syscalls(const Family& raw, std::vector<Family>& out) {
  // Histograms: the busiest targets, then per exported target (the kept
  // ones and "other") its busiest syscalls.
  std::map<std::string, uint64_t> by_target;
  std::map<std::string, std::map<std::string, uint64_t>> by_target_syscall;  // all targets, for the counters
  for (const auto& s : raw.series) {
    const uint64_t n = calls(s);
    const std::string& t = value_of(s, label_);
    by_target[t] += n;
    if (const auto* sc = s.label(kSyscall)) by_target_syscall[t][*sc] += n;
  }
  const std::set<std::string> targets = busiest(by_target, config_.histogram_targets);
  auto hist_target = [&](const std::string& t) -> const std::string& {
    return label_.empty() || targets.count(t) ? t : kOther;
  };
  std::map<std::string, std::map<std::string, uint64_t>> by_hist_target;
  for (const auto& s : raw.series) {
    if (const auto* sc = s.label(kSyscall)) by_hist_target[hist_target(value_of(s, label_))][*sc] += calls(s);
  }
  std::map<std::string, std::set<std::string>> hist_syscalls, counter_syscalls;
  for (const auto& [t, per] : by_hist_target) hist_syscalls[t] = busiest(per, config_.histogram_syscalls);
  for (const auto& [t, per] : by_target_syscall) counter_syscalls[t] = busiest(per, config_.counter_syscalls);

  std::vector<FoldedFamily::Member> lat, cnt, sec;
  lat.reserve(raw.series.size());
  cnt.reserve(raw.series.size());
  sec.reserve(raw.series.size());
  for (const auto& s : raw.series) {
    const std::string* sc = s.label(kSyscall);
    if (!s.histogram || !sc) continue;
    const std::string& t = value_of(s, label_);
    const std::string& ht = hist_target(t);
    const std::string& hs = hist_syscalls[ht].count(*sc) ? *sc : kOther;
    lat.push_back({&s.labels, relabel(s.labels, kSyscall, hs, label_, ht), 0, &*s.histogram});
    const std::string& cs = counter_syscalls[t].count(*sc) ? *sc : kOther;
    Labels counter_labels = relabel(s.labels, kSyscall, cs, label_, t);
    cnt.push_back({&s.labels, counter_labels, static_cast<double>(s.histogram->count()), nullptr});
    sec.push_back({&s.labels, std::move(counter_labels), s.histogram->sum_seconds, nullptr});
  }
  latency_.update(lat);
  calls_.update(cnt);
  seconds_.update(sec);
  out.push_back(latency_.family());
  out.push_back(calls_.family());
  out.push_back(seconds_.family());
}

void MetricsView::fold_runqueue(const Family& raw, std::vector<Family>& out) {
  std::map<std::string, uint64_t> by_target;
  for (const auto& s : raw.series) by_target[value_of(s, label_)] += calls(s);
  const std::set<std::string> targets = busiest(by_target, config_.histogram_targets);
  std::vector<FoldedFamily::Member> members;
  for (const auto& s : raw.series) {
    if (!s.histogram) continue;
    const std::string& t = value_of(s, label_);
    Labels exported = label_.empty() ? s.labels : relabel(s.labels, label_, targets.count(t) ? t : kOther, "", "");
    members.push_back({&s.labels, std::move(exported), 0, &*s.histogram});
  }
  runqueue_.update(members);
  out.push_back(runqueue_.family());
}

}  // namespace kscope
