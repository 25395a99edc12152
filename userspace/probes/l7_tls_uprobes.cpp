#include "probes/l7_tls_uprobes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace kscope {

bool L7TlsUprobes::known(const TlsLibrary& lib) const {
  auto same = [&](const TlsLibrary& l) { return l.dev == lib.dev && l.ino == lib.ino; };
  return std::any_of(attached_.begin(), attached_.end(), [&](const Attached& a) { return same(a.library); }) ||
         std::any_of(failed_.begin(), failed_.end(), same);
}

// Returns are attached before entries: an entry whose return is not hooked
// yet would leave its thread marked as inside an SSL call.
bool L7TlsUprobes::attach(const TlsLibrary& lib, Attached& a) const {
  struct Hook {
    const char* function;
    bpf_program* prog;
    bool retprobe;
    bool required;  // SSL_read/SSL_write: without them the file is not OpenSSL's libssl
  };
  const Hook hooks[] = {
      {"SSL_write", programs_.rw_return, true, true},
      {"SSL_read", programs_.rw_return, true, true},
      {"SSL_write_ex", programs_.rw_return, true, false},  // 1.1.1 and later
      {"SSL_read_ex", programs_.rw_return, true, false},
      {"SSL_do_handshake", programs_.handshake_return, true, false},
      {"SSL_write", programs_.write, false, true},
      {"SSL_read", programs_.read, false, true},
      {"SSL_write_ex", programs_.write_ex, false, false},
      {"SSL_read_ex", programs_.read_ex, false, false},
      // SSL_connect and SSL_accept end in a call of SSL_do_handshake.
      {"SSL_do_handshake", programs_.handshake, false, false},
  };
  for (const auto& h : hooks) {
    bpf_uprobe_opts opts{};
    opts.sz = sizeof(opts);
    opts.retprobe = h.retprobe;
    opts.func_name = h.function;
    bpf_link* l = bpf_program__attach_uprobe_opts(h.prog, -1, lib.path.c_str(), 0, &opts);
    if (l == nullptr) {
      if (!h.required) continue;
      spdlog::warn("probe=l7 tls: cannot hook {} in {}: {} (its TLS connections count as tls_unseen)", h.function,
                   lib.path, std::strerror(errno));
      return false;
    }
    (h.retprobe ? a.returns : a.entries).emplace_back(l);
  }
  return true;
}

size_t L7TlsUprobes::add(const std::vector<TlsLibrary>& libraries) {
  size_t added = 0;
  for (const auto& lib : libraries) {
    if (known(lib)) continue;
    if (attached_.size() >= max_) {
      ++over_limit_;
      continue;
    }
    Attached a{lib, {}, {}};
    if (!attach(lib, a)) {
      remove(a);
      failed_.push_back(lib);
      continue;
    }
    spdlog::info("probe=l7 tls: hooked path={} dev={} ino={}", lib.path, lib.dev, lib.ino);
    attached_.push_back(std::move(a));
    ++added;
  }
  return added;
}


// Entries go before returns (see attach()). Each removal waits for a
// grace period in the kernel (~100 ms measured here, serialized: removing
// them from several threads at once did not help).
void L7TlsUprobes::remove(Attached& a) {
  a.entries.clear();
  a.returns.clear();
}

void L7TlsUprobes::clear() {
  for (auto& a : attached_) remove(a);
  attached_.clear();
  failed_.clear();
}

L7TlsUprobes::~L7TlsUprobes() { clear(); }

}  // namespace kscope
