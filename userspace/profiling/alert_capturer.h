// The profiling engine behind alert captures: a CPU and an off-CPU flame
// graph of the alert's target, recorded side by side for the capture's
// duration (or until shutdown stops them; what was recorded is written).
#pragma once

#include <memory>

#include "alerts/capture.h"
#include "symbolize/symbolizer.h"

namespace kscope {

class AlertProfileCapturer final : public ProfileCapturer {
 public:
  explicit AlertProfileCapturer(std::shared_ptr<Symbolizer> symbolizer) : symbolizer_(std::move(symbolizer)) {}
  Result<CaptureResult> capture(const CaptureTarget& target, Nanos duration, const std::string& dir,
                                const std::atomic<bool>& stop) override;

 private:
  std::shared_ptr<Symbolizer> symbolizer_;
};

}  // namespace kscope
