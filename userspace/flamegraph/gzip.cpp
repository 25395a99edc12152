#include "flamegraph/gzip.h"

#include <algorithm>

namespace kscope {
namespace {
constexpr int kGzipWindowBits = 15 + 16;  // zlib's way of asking for a gzip header
constexpr size_t kChunk = 256 << 10;
}  // namespace

GzipWriter::GzipWriter(const Sink& out, int level) : out_(out), buf_(kChunk, '\0') {
  // deflateInit2 fails only for bad arguments or no memory; both are bugs
  // or fatal here.
  deflateInit2(&zs_, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
}

GzipWriter::~GzipWriter() {
  finish();
  deflateEnd(&zs_);
}

void GzipWriter::pump(int flush) {
  do {
    zs_.next_out = reinterpret_cast<Bytef*>(buf_.data());
    zs_.avail_out = static_cast<uInt>(buf_.size());
    int rc = deflate(&zs_, flush);
    size_t have = buf_.size() - zs_.avail_out;
    if (have) out_(std::string_view(buf_.data(), have));
    if (rc == Z_STREAM_END || rc == Z_STREAM_ERROR) break;
  } while (zs_.avail_out == 0 || (flush == Z_FINISH));
}

void GzipWriter::write(std::string_view data) {
  while (!data.empty()) {
    size_t n = std::min<size_t>(data.size(), 1u << 30);
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs_.avail_in = static_cast<uInt>(n);
    pump(Z_NO_FLUSH);
    data.remove_prefix(n);
  }
}

void GzipWriter::finish() {
  if (finished_) return;
  finished_ = true;
  zs_.next_in = nullptr;
  zs_.avail_in = 0;
  pump(Z_FINISH);
}

BlockGzipWriter::BlockGzipWriter(const Sink& out, size_t block_bytes, size_t threads)
    : out_(out), block_bytes_(block_bytes), threads_(threads == 0 ? 1 : threads) {}

BlockGzipWriter::~BlockGzipWriter() { finish(); }

void BlockGzipWriter::launch() {
  pending_.push_back(std::async(std::launch::async, [block = std::move(block_)] {
    return collect_output([&](const Sink& out) {
      GzipWriter gz(out);
      gz.write(block);
    });
  }));
  block_.clear();
  // At most `threads` blocks in flight: bounded memory, in-order output.
  while (pending_.size() >= threads_) {
    out_(pending_.front().get());
    pending_.pop_front();
  }
}

void BlockGzipWriter::write(std::string_view data) {
  while (!data.empty()) {
    size_t n = std::min(data.size(), block_bytes_ - block_.size());
    block_.append(data.substr(0, n));
    data.remove_prefix(n);
    if (block_.size() >= block_bytes_) launch();
  }
}

void BlockGzipWriter::finish() {
  if (finished_) return;
  finished_ = true;
  if (!block_.empty() || pending_.empty()) {
    threads_ = 1;  // drain everything, this block included
    launch();
  }
  while (!pending_.empty()) {
    out_(pending_.front().get());
    pending_.pop_front();
  }
}

bool is_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<uint8_t>(data[0]) == 0x1f &&
         static_cast<uint8_t>(data[1]) == 0x8b;
}

Result<std::string> gunzip(std::string_view data, size_t max_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) return Error("gzip: cannot initialise zlib");
  std::string out;
  std::string buf(kChunk, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(data.size(), UINT32_MAX));
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      if (rc == Z_BUF_ERROR) return Error("gzip: data is truncated");
      return Error(std::string("gzip: data is corrupt") + (zs.msg ? std::string(" (") + zs.msg + ")" : ""));
    }
    size_t have = buf.size() - zs.avail_out;
    if (out.size() + have > max_bytes) {
      inflateEnd(&zs);
      return Error("gzip: data inflates to more than " + std::to_string(max_bytes >> 20) + " MiB");
    }
    out.append(buf.data(), have);
    // Another member follows: go on with it.
    std::string_view rest(reinterpret_cast<const char*>(zs.next_in), zs.avail_in);
    if (rc == Z_STREAM_END && is_gzip(rest)) {
      inflateReset(&zs);
      rc = Z_OK;
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace kscope
