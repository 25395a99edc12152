#include "requests/hpack_decoder.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>

namespace kscope::requests {
namespace {

std::string_view view(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

int small_number(std::string_view v) {
  if (v.empty() || v.size() > 3) return -1;
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

void keep(std::string& to, std::string_view v, size_t cap) { to.assign(v.substr(0, cap)); }

void take(const nghttp2_nv& nv, H2HeaderFields& out) {
  std::string_view name = view(nv.name, nv.namelen);
  std::string_view value = view(nv.value, nv.valuelen);
  if (name == ":method") keep(out.method, value, 16);
  else if (name == ":path") keep(out.path, value, kMaxKeptHeaderValue);
  else if (name == ":authority") keep(out.authority, value, kMaxKeptHeaderValue);
  else if (name == ":status") out.status = small_number(value);
  else if (name == "content-type") keep(out.content_type, value, 64);
  else if (name == "grpc-status") out.grpc_status = small_number(value);
}

}  // namespace

HpackDecoder::HpackDecoder() {
  if (nghttp2_hd_inflate_new(&inflater_) != 0) inflater_ = nullptr;
}

HpackDecoder::~HpackDecoder() {
  if (inflater_) nghttp2_hd_inflate_del(inflater_);
}

bool HpackDecoder::set_table_limit(uint32_t bytes) {
  if (!inflater_) return false;
  return nghttp2_hd_inflate_change_table_size(inflater_, std::min(bytes, kMaxHpackTable)) == 0;
}

bool HpackDecoder::decode(std::string_view block, H2HeaderFields& out) {
  if (!inflater_) return false;
  const auto* in = reinterpret_cast<const uint8_t*>(block.data());
  size_t left = block.size();
  size_t fields = 0;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t used = nghttp2_hd_inflate_hd2(inflater_, &nv, &flags, in, left, 1);
    if (used < 0) return false;
    in += used;
    left -= static_cast<size_t>(used);
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      if (++fields > kMaxHpackFields) return false;
      take(nv, out);
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater_);
      return true;
    }
    if (used == 0 && !(flags & NGHTTP2_HD_INFLATE_EMIT)) return false;  // no progress: malformed
  }
}

}  // namespace kscope::requests
