// The FlameGraph "folded" format: one line per distinct stack,
// "root;caller;callee count", kernel frames suffixed "_[k]", JIT frames
// "_[j]". kscope writes the process name as the root frame; for off-CPU
// profiles the count is blocked nanoseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "flamegraph/output_sink.h"
#include "flamegraph/profile.h"

namespace kscope {

struct FoldedOptions {
  // Reject the input at its first malformed line (with the line number)
  // instead of skipping and counting such lines.
  bool strict = false;
  // The first frame of each stack is the process (kscope's own files,
  // stackcollapse-perf's default).
  bool first_frame_is_process = true;
  ProfileKind kind = ProfileKind::kCpu;
  uint64_t period_ns = 0;
  // A longer line is malformed; bounds the memory a line without newline takes.
  size_t max_line_bytes = 64 << 20;
};

struct FoldedStats {
  uint64_t lines = 0;           // lines read, blank ones included
  uint64_t stacks = 0;          // lines that became a stack
  uint64_t skipped = 0;         // malformed lines (non-strict mode)
  uint64_t first_skipped_line = 0;  // 1-based; 0 when none was skipped
};

// Parses folded text that arrives in pieces (a file read in chunks, a
// pipe). Lines may span pieces. Consecutive lines usually share a prefix
// (the format is sorted), so each line re-walks only the frames after the
// prefix it shares with the line before: parsing costs about one pass over
// the bytes plus a hash lookup per new frame.
class FoldedParser {
 public:
  explicit FoldedParser(FoldedOptions options = {});

  // Fails only in strict mode, at the first malformed line.
  Status feed(std::string_view piece);
  // Ends the input: a last line without a newline is parsed too.
  Result<Profile> finish();
  const FoldedStats& stats() const { return stats_; }

 private:
  Status parse_line(std::string_view line);
  Status malformed(std::string_view line, const char* why);

  FoldedOptions options_;
  FoldedStats stats_;
  Profile profile_;
  std::string carry_;  // an unfinished line from the previous piece
  bool carry_too_long_ = false;
  // The previous line's stack, where each of its frames ends, and its nodes.
  std::string prev_stack_;
  std::vector<uint32_t> prev_ends_;
  std::vector<NodeId> prev_path_;
  bool failed_ = false;
  Error error_{""};
};

Result<Profile> parse_folded(std::string_view text, const FoldedOptions& options = {},
                             FoldedStats* stats = nullptr);
// path "-" reads stdin.
Result<Profile> read_folded_file(const std::string& path, const FoldedOptions& options = {},
                                 FoldedStats* stats = nullptr);

// One frame as folded text: name escaped for the format (no ';', no line
// breaks, valid UTF-8) and the kind suffix added.
std::string folded_frame_text(const ProfileFrame& frame);

// Writes every stack, sorted by frame names, depth first. A profile with
// addresses is collapsed to functions first.
void write_folded(const Profile& profile, const Sink& out);

// Writes "frame;frame;..." plus what suffix appends, one line per node for
// which suffix returns true; nodes in write_folded's order. For formats
// built on folded lines (the diff's two counts).
void write_folded_lines(const Profile& profile,
                        const std::function<bool(NodeId node, std::string* line)>& suffix,
                        const Sink& out);

// Splits "stack count" at the last run of blanks; false when the line has
// no count. Frames may contain blanks themselves.
bool split_folded_count(std::string_view line, std::string_view* stack, uint64_t* count);

}  // namespace kscope
