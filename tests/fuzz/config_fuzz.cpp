// libFuzzer target: the YAML config reader (strict, file:line:col errors).
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto cfg = kscope::parse_config(text, "<fuzz>");
  if (!cfg) (void)cfg.error().to_string();
  return 0;
}
