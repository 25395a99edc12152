// Where the flame graph writers put their bytes. Writers emit pieces to a
// Sink instead of building one string, so a 1M-stack profile goes to a file
// through a small buffer rather than through a copy of the whole output.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace kscope {

using Sink = std::function<void(std::string_view)>;
using Producer = std::function<void(const Sink&)>;

// Everything produce() emits, as one string (HTTP bodies, tests).
std::string collect_output(const Producer& produce);

// Writes what produce() emits to path ("-" is stdout), through a buffer.
// The file appears complete or not at all (common/atomic_file.h): a reader
// never sees half a flame graph, and a failure, an exception from produce()
// or a SIGKILL midway leaves the old file (or none) and no temporary file.
Status write_output_file(const std::string& path, const Producer& produce);

// Reads a whole file ("-" is stdin) in pieces of about chunk bytes.
Status read_input_file(const std::string& path, const Sink& chunk_sink, size_t chunk = 4 << 20);

// Reads a whole file into memory, refusing files larger than max_bytes.
Result<std::string> read_whole_file(const std::string& path, size_t max_bytes);

}  // namespace kscope
