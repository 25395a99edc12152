#include "alerts/capture.h"

namespace kscope {

// TODO(lead): return the profiling engine's capturer once it lands.
std::shared_ptr<ProfileCapturer> default_profile_capturer() { return std::make_shared<UnavailableCapturer>(); }

}  // namespace kscope
