// The exported buckets of seconds histograms, shared by the text and
// protobuf renderers: the configured `le`s (latency_buckets_seconds), or a
// family's own (Family::le_seconds: the HTTP durations use
// OpenTelemetry's), each set's fine-bucket slots computed once per render.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace kscope {

struct SecondsBuckets {
  std::vector<double> le;
  std::vector<std::string> text;     // le as exposition text
  std::vector<uint32_t> slots;       // le_slot_per_bucket(le)
  std::vector<uint64_t> cumulative;  // scratch, one per le

  explicit SecondsBuckets(std::vector<double> le_seconds);
};

class SecondsBucketSets {
 public:
  explicit SecondsBucketSets(const std::vector<double>& configured) : configured_(configured) {}

  // The buckets `family` is exported at.
  SecondsBuckets& of(const Family& family);

 private:
  SecondsBuckets configured_;
  std::vector<SecondsBuckets> own_;  // the families' own sets, few: searched in order
};

}  // namespace kscope
