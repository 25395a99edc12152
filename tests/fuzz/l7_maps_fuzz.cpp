// libFuzzer target: the /proc/PID/maps line reader that finds libssl files
// for the l7 probe's TLS uprobes (userspace/probes/l7_tls_libraries.h), on
// lines a hostile process could make /proc print (its own file names).
// Beyond "no crash": a path it returns is absolute, inside the line, and
// names a libssl.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probes/l7_tls_libraries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // One line per newline, as the reader gets them from getline.
  while (!input.empty()) {
    const size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    auto path = kscope::libssl_path_in_maps_line(line);
    if (!path) continue;
    if (path->empty() || path->front() != '/' || line.find(*path) == std::string_view::npos) std::abort();
    const size_t slash = path->rfind('/');
    if (!kscope::is_libssl_name(std::string_view(*path).substr(slash + 1))) std::abort();
  }
  return 0;
}
