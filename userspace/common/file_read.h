// Opening and reading files named by other processes. Paths come from
// /proc/PID/maps and perf maps, so they are untrusted: a FIFO or device there
// must not block or be read, and a huge file must not be slurped whole.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace kscope {

// Opens `path` read-only if it is a regular file; `st` receives its fstat.
Result<UniqueFd> open_regular_file(const std::string& path, struct stat* st = nullptr);

// The whole content of a regular file (procfs files included, whose st_size
// is 0) up to `max_bytes`; a longer file is an error rather than truncated.
Result<std::string> read_file_bounded(const std::string& path, size_t max_bytes);

// The same into `out` (replaced, its capacity kept), for a reader that reads
// the same files every interval and wants no allocation once warm.
Status read_file_bounded(const std::string& path, size_t max_bytes, std::string& out);

}  // namespace kscope
