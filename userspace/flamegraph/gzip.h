// gzip through zlib: a streaming compressor that feeds a Sink, and a
// bounded decompressor for files that may be corrupt or hostile.
#pragma once

#include <zlib.h>

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

bool is_gzip(std::string_view data);

// Decompresses a gzip stream; fails on corrupt data, truncation, or output
// larger than max_bytes (a small file can inflate to gigabytes).
Result<std::string> gunzip(std::string_view data, size_t max_bytes);

}  // namespace kscope
