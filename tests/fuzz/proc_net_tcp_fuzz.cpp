// libFuzzer target: the /proc/net/tcp line parser the l7 probe reads
// connections open before it attached with (userspace/probes/
// l7_preexisting.h). Beyond "no crash": what parses is a valid endpoint.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probes/l7_preexisting.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    auto e = kscope::parse_proc_net_tcp_line(text.substr(0, nl));
    if (e && !(e->local.known && e->peer.known)) std::abort();
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return 0;
}
