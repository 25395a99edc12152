// libFuzzer target: the folded-stack parser behind `kscope diff`, in both
// lenient and strict modes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "flamegraph/folded.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kscope::FoldedOptions lenient;
  (void)kscope::parse_folded(text, lenient);
  kscope::FoldedOptions strict;
  strict.strict = true;
  strict.first_frame_is_process = false;
  (void)kscope::parse_folded(text, strict);
  return 0;
}
