// libFuzzer target: the l7 probe's record decoder (userspace/probes/
// l7_records.h) and the live-connection bookkeeping behind it, on records
// a broken or mismatched BPF object could send. Beyond "no crash": a
// decoded prefix lies inside the record and within the capture bound, and
// every open the listener hears is closed by the end.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <span>

#include "kscope/abi/l7.h"
#include "probes/l7_records.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The input is a sequence of records, each preceded by its length (two
  // bytes, little-endian), as the ring buffer hands them one at a time.
  kscope::L7Connections conns(8);
  kscope::L7Listener listener{[](const kscope::requests::ConnectionEvent&) {},
                              [](const kscope::requests::SocketData& d) {
                                check(d.prefix.size() <= KSCOPE_L7_CAPTURE_MAX);
                                check(d.prefix.size() <= d.total_bytes);
                              }};
  size_t off = 0;
  while (off + 2 <= size) {
    size_t len = std::min<size_t>(size_t(data[off]) | size_t(data[off + 1]) << 8, size - off - 2);
    std::span<const uint8_t> rec(data + off + 2, len);
    off += 2 + len;
    auto decoded = kscope::decode_l7_record(rec);
    if (!decoded) continue;
    if (auto* d = std::get_if<kscope::requests::SocketData>(&*decoded)) {
      const auto* begin = reinterpret_cast<const char*>(rec.data());
      check(d->prefix.empty() || (d->prefix.data() >= begin && d->prefix.data() + d->prefix.size() <= begin + len));
    }
    conns.deliver(*decoded, listener);
  }
  conns.close_all(0, listener);
  check(conns.live() == 0);
  return 0;
}
