// libFuzzer target: the /proc/net/tcp line parser the l7 probe reads
// connections open before it attached with (userspace/probes/
// l7_preexisting.h), and the fib_trie / if_inet6 parsers the service map
// reads other namespaces' addresses with (host/netns_addresses.h). Beyond
// "no crash": what parses is a valid endpoint, addresses are bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "host/netns_addresses.h"
#include "probes/l7_preexisting.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto fib = kscope::host::parse_fib_trie_local(text);
  for (const auto& a : fib) {
    if (a[10] != 0xff || a[11] != 0xff) std::abort();  // IPv4-mapped
  }
  if (fib.size() > kscope::host::kMaxNamespaceAddresses) std::abort();
  if (kscope::host::parse_if_inet6(text).size() > kscope::host::kMaxNamespaceAddresses) std::abort();
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    auto e = kscope::parse_proc_net_tcp_line(text.substr(0, nl));
    if (e && !(e->local.known && e->peer.known)) std::abort();
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return 0;
}
