// gzip through zlib: a streaming compressor that feeds a Sink, and a
// bounded decompressor for files that may be corrupt or hostile.
#pragma once

#include <zlib.h>

#include <deque>
#include <future>
#include <string>
#include <string_view>

#include "common/result.h"
#include "flamegraph/output_sink.h"

namespace kscope {

class GzipWriter {
 public:
  // Level 1 by default: pprof files are mostly small varints that compress
  // well at any level, and the fastest level keeps a 1M-stack profile well
  // under a second (Go's runtime/pprof makes the same choice).
  explicit GzipWriter(const Sink& out, int level = Z_BEST_SPEED);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  void write(std::string_view data);
  void finish();  // idempotent; the destructor calls it too

 private:
  void pump(int flush);

  const Sink& out_;
  z_stream zs_{};
  std::string buf_;
  bool finished_ = false;
};

// Compresses blocks of its input as separate gzip members on up to
// `threads` threads, and writes them in order. A multi-member stream is
// valid gzip (RFC 1952, 2.2): gunzip, Go's compress/gzip (so go tool pprof,
// Parca, Pyroscope) and gunzip() below read it as one. Compression is most
// of the cost of writing a large pprof file; this spreads it over the cores.
class BlockGzipWriter {
 public:
  explicit BlockGzipWriter(const Sink& out, size_t block_bytes = 8 << 20, size_t threads = 2);
  ~BlockGzipWriter();
  BlockGzipWriter(const BlockGzipWriter&) = delete;
  BlockGzipWriter& operator=(const BlockGzipWriter&) = delete;

  void write(std::string_view data);
  void finish();  // idempotent; the destructor calls it too

 private:
  void launch();

  const Sink& out_;
  size_t block_bytes_;
  size_t threads_;
  std::string block_;
  std::deque<std::future<std::string>> pending_;
  bool finished_ = false;
};

bool is_gzip(std::string_view data);

// Decompresses a gzip stream (all its members); fails on corrupt data, truncation, or output
// larger than max_bytes (a small file can inflate to gigabytes).
Result<std::string> gunzip(std::string_view data, size_t max_bytes);

}  // namespace kscope
