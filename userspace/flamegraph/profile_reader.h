// Reads a profile in any format kscope writes or reads, by looking at the
// content rather than the file name: pprof (gzipped or plain protobuf) or
// folded text (plain or gzipped). For `kscope diff` of two files of either
// kind.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "flamegraph/folded.h"
#include "flamegraph/profile.h"

namespace kscope {

enum class ProfileFormat { kFolded, kPprof };

// Text never has control bytes other than tab, CR and LF; protobuf
// starts with a tag and a length, which almost always are.
ProfileFormat sniff_profile_format(std::string_view head);

// folded: options for folded input (pprof carries its own kind and period).
// Folded text is streamed; binary input is held in memory (at most 1 GiB).
Result<Profile> read_profile_file(const std::string& path, const FoldedOptions& folded = {});
Result<Profile> parse_profile(std::string_view data, const FoldedOptions& folded = {});

}  // namespace kscope
