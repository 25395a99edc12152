// libFuzzer target: the pprof reader (gzip or raw protobuf). The inflate cap
// is lowered so a gzip bomb is rejected without exhausting the fuzzer's RSS.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "flamegraph/pprof_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kscope::PprofReadOptions options;
  options.max_inflated_bytes = size_t{16} << 20;
  (void)kscope::read_pprof(std::string_view(reinterpret_cast<const char*>(data), size), options);
  return 0;
}
