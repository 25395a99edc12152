// What /metrics exports, built from each published snapshot: a bounded
// number of series for a fleet's Prometheus (config `export:`), while the
// snapshot itself, which kscope's own percentiles, signals, alerts and
// history read, keeps every target's fine histogram.
//
// - kscope_syscall_latency_seconds: the export.histogram_targets busiest
//   targets (by calls) keep a histogram for each of their
//   export.histogram_syscalls busiest syscalls, the rest of their calls in
//   syscall="other"; the other targets are summed into target "other" and
//   cut the same way. Every call is in some series, so sums over labels
//   (host p99, per-target rates of the busiest) stay exact.
// - kscope_syscalls_total, kscope_syscall_seconds_total (counters, new here):
//   calls and time in syscalls for every target, its export.counter_syscalls
//   busiest syscalls by name and the rest as syscall="other".
// - kscope_runqueue_latency_seconds: the export.histogram_targets targets
//   that waited most often, the rest in "other".
// Folded series accumulate increases (export/folded_family.h), so they never
// go down. Every other family is exported as the snapshot has it (shared,
// not copied).
//
// update() runs on the collector's listener thread; latest() on any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "config/config.h"
#include "export/folded_family.h"

namespace kscope {

// One export: the folded families built here, and pointers to the
// snapshot's other families (kept alive by `source`), in exposition order.
struct MetricsExport {
  std::shared_ptr<const Snapshot> source;
  std::vector<Family> folded;
  std::vector<const Family*> families;
};

class MetricsView {
 public:
  // `breakdown_label`: the target label (comm, cgroup), "" with breakdown none.
  MetricsView(ExportConfig config, std::string breakdown_label);

  // Whether the host's node_exporter-named families (node_*) are exported
  // (config resources.export_node_metrics); they stay in the snapshot for
  // kscope's own signals either way. Call before the first update.
  void set_export_node_metrics(bool on) { export_node_metrics_ = on; }

  // Builds and publishes the export of one snapshot; call once per snapshot.
  void update(std::shared_ptr<const Snapshot> snapshot);

  // The latest export; empty before the first update. Never null.
  std::shared_ptr<const MetricsExport> latest() const;

 private:
  void fold_syscalls(const Family& raw, std::vector<Family>& out);
  void fold_runqueue(const Family& raw, std::vector<Family>& out);

  ExportConfig config_;
  std::string label_;
  bool export_node_metrics_ = true;
  FoldedFamily latency_;
  FoldedFamily calls_;
  FoldedFamily seconds_;
  FoldedFamily runqueue_;
  // The snapshot of the previous update: the folded families read its
  // histograms as the previous values.
  std::shared_ptr<const Snapshot> previous_;
  mutable std::mutex mu_;
  std::shared_ptr<const MetricsExport> latest_ = std::make_shared<MetricsExport>();
};

}  // namespace kscope
