#include "alerts/capture.h"
#include "profiling/alert_capturer.h"

namespace kscope {

std::shared_ptr<ProfileCapturer> default_profile_capturer() {
  return std::make_shared<AlertProfileCapturer>(std::make_shared<Symbolizer>());
}

}  // namespace kscope
