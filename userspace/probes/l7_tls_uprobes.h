// The l7 probe's TLS uprobes (bpf/l7_tls.bpf.h) attached to libssl files
// (probes/l7_tls_libraries.h): one set of links per file, each file by
// device and inode at most once. A file whose SSL_read or SSL_write cannot
// be hooked (no such symbol: not OpenSSL, or stripped) is remembered as
// failed and not tried again; past `max_libraries`, files are counted and
// not attached.
//
// Thread safety: none; the probe calls it from the collector thread.
// Removing a uprobe waits for a grace period (~100 ms each here, 10 per
// library): clear() of one library takes about a second.
#pragma once

#include <bpf/libbpf.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "probes/l7_tls_libraries.h"

namespace kscope {

class L7TlsUprobes {
 public:
  struct Programs {
    bpf_program* write = nullptr;      // SSL_write entry
    bpf_program* write_ex = nullptr;   // SSL_write_ex entry
    bpf_program* read = nullptr;       // SSL_read entry
    bpf_program* read_ex = nullptr;    // SSL_read_ex entry
    bpf_program* rw_return = nullptr;  // the four's return
    bpf_program* handshake = nullptr;  // SSL_do_handshake entry
    bpf_program* handshake_return = nullptr;
  };

  L7TlsUprobes() = default;
  L7TlsUprobes(Programs programs, size_t max_libraries) : programs_(programs), max_(max_libraries) {}
  ~L7TlsUprobes();
  L7TlsUprobes(L7TlsUprobes&&) = default;
  L7TlsUprobes& operator=(L7TlsUprobes&&) = default;

  // Attaches to each library not seen yet; returns how many were attached.
  size_t add(const std::vector<TlsLibrary>& libraries);

  // Detaches everything and forgets the files (a later add() attaches them
  // again).
  void clear();

  size_t attached() const { return attached_.size(); }
  size_t failed() const { return failed_.size(); }
  uint64_t over_limit() const { return over_limit_; }

 private:
  struct LinkDeleter {
    void operator()(bpf_link* l) const { bpf_link__destroy(l); }
  };
  using Link = std::unique_ptr<bpf_link, LinkDeleter>;
  struct Attached {
    TlsLibrary library;
    std::vector<Link> returns;  // attached first, removed last
    std::vector<Link> entries;
  };

  bool known(const TlsLibrary& lib) const;
  bool attach(const TlsLibrary& lib, Attached& a) const;
  static void remove(Attached& a);

  Programs programs_;
  size_t max_ = 0;
  std::vector<Attached> attached_;
  std::vector<TlsLibrary> failed_;
  uint64_t over_limit_ = 0;
};

}  // namespace kscope
