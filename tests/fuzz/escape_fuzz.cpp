// libFuzzer target: the escapers every watched process's name goes through.
// Checks the properties outputs rely on, not just "no crash".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/escape.h"

namespace {

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string clean = kscope::sanitize_utf8(in);
  check(valid_utf8(clean));
  check(kscope::sanitize_utf8(clean) == clean);

  std::string label = kscope::escape_prometheus_label(in);
  check(valid_utf8(label));
  check(label.find('\n') == std::string::npos);
  // Every quote is escaped: an unescaped one would end the label value.
  for (size_t i = 0; i < label.size(); ++i) {
    if (label[i] == '\\') {
      check(i + 1 < label.size() && (label[i + 1] == '\\' || label[i + 1] == '"' || label[i + 1] == 'n'));
      ++i;
    } else {
      check(label[i] != '"');
    }
  }

  std::string xml = kscope::escape_xml(in);
  check(valid_utf8(xml));
  check(xml.find_first_of("<>\"'") == std::string::npos);
  for (unsigned char c : xml) check(c >= 0x20 || c == '\t' || c == '\n' || c == '\r');

  std::string help = kscope::escape_prometheus_help(in);
  check(help.find('\n') == std::string::npos);
  (void)kscope::printable(in);
  return 0;
}
