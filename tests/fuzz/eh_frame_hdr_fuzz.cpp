// libFuzzer target: the .eh_frame_hdr table reader (userspace/symbolize/
// eh_frame_hdr.h) on any bytes. Beyond "no crash": the starts come back
// sorted, unique and bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "symbolize/eh_frame_hdr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto starts = kscope::eh_frame_hdr_function_starts(bytes, 0x400000);
  if (starts.size() > kscope::kMaxFunctionStarts || starts.size() > size / 8) std::abort();
  for (size_t i = 1; i < starts.size(); ++i) {
    if (starts[i - 1] >= starts[i]) std::abort();
  }
  return 0;
}
