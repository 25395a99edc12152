#include "flamegraph/folded.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/escape.h"

namespace kscope {
namespace {

// Length of the common prefix of a and b, a word at a time.
size_t common_prefix(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= n; i += 8) {
      uint64_t x, y;
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return i + static_cast<size_t>(std::countr_zero(x ^ y)) / 8;
    }
  }
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool parse_count(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool split_folded_count(std::string_view line, std::string_view* stack, uint64_t* count) {
  while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
  size_t sp = line.find_last_of(" \t");
  if (sp == std::string_view::npos || !parse_count(line.substr(sp + 1), count)) return false;
  std::string_view s = line.substr(0, sp);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  if (s.empty()) return false;
  *stack = s;
  return true;
}

FoldedParser::FoldedParser(FoldedOptions options) : options_(options), profile_(options.kind) {
  profile_.set_period_ns(options.period_ns);
}

Status FoldedParser::malformed(std::string_view line, const char* why) {
  if (options_.strict) {
    std::string shown = sanitize_utf8(line.substr(0, 80));
    failed_ = true;
    error_ = Error("folded input line " + std::to_string(stats_.lines) + ": " + why + ": \"" +
                       shown + (line.size() > 80 ? "...\"" : "\""),
                   "each line must be 'frame;frame;... count'");
    return error_;
  }
  if (stats_.skipped++ == 0) stats_.first_skipped_line = stats_.lines;
  return ok_status();
}

Status FoldedParser::parse_line(std::string_view line) {
  ++stats_.lines;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return ok_status();
  std::string_view stack;
  uint64_t count = 0;
  if (!split_folded_count(line, &stack, &count)) return malformed(line, "no stack and count");
  ++stats_.stacks;

  // Frames shared with the previous line keep their nodes: frame i is
  // shared when the common prefix covers it and its terminator.
  size_t common = common_prefix(stack, prev_stack_);
  size_t shared = 0;
  while (shared < prev_ends_.size()) {
    size_t end = prev_ends_[shared];
    bool same = end < common ||
                (end == common && end == prev_stack_.size() &&
                 (end == stack.size() || stack[end] == ';'));
    if (!same) break;
    ++shared;
  }
  prev_ends_.resize(shared);
  prev_path_.resize(shared);
  NodeId node = shared == 0 ? Profile::kRoot : prev_path_.back();
  size_t pos = shared == 0 ? 0 : prev_ends_.back() + 1;
  while (pos <= stack.size()) {
    size_t end = stack.find(';', pos);
    if (end == std::string_view::npos) end = stack.size();
    std::string_view name = stack.substr(pos, end - pos);
    ProfileFrameKind kind = ProfileFrameKind::kUser;
    if (prev_ends_.empty() && options_.first_frame_is_process) {
      kind = ProfileFrameKind::kProcess;
    } else if (ends_with(name, "_[k]")) {
      kind = ProfileFrameKind::kKernel;
      name.remove_suffix(4);
    } else if (ends_with(name, "_[j]")) {
      kind = ProfileFrameKind::kJit;
      name.remove_suffix(4);
    } else if (name.empty() || name == "[unknown]") {
      kind = ProfileFrameKind::kUnknown;
      name = "[unknown]";
    }
    node = profile_.child(node, profile_.intern(name, kind));
    prev_ends_.push_back(static_cast<uint32_t>(end));
    prev_path_.push_back(node);
    pos = end + 1;
  }
  // Only the part after the shared prefix changes.
  prev_stack_.resize(common);
  prev_stack_.append(stack.substr(common));
  profile_.add_self(node, count);
  return ok_status();
}

Status FoldedParser::feed(std::string_view piece) {
  if (failed_) return error_;
  while (!piece.empty()) {
    size_t nl = piece.find('\n');
    if (nl == std::string_view::npos) {
      if (carry_.size() + piece.size() > options_.max_line_bytes) {
        carry_too_long_ = true;
        carry_.clear();
      } else if (!carry_too_long_) {
        carry_.append(piece);
      }
      return ok_status();
    }
    Status st = ok_status();
    if (carry_too_long_) {
      ++stats_.lines;
      st = malformed("", "line longer than the limit");
      carry_too_long_ = false;
    } else if (!carry_.empty()) {
      carry_.append(piece.substr(0, nl));
      st = parse_line(carry_);
      carry_.clear();
    } else {
      st = parse_line(piece.substr(0, nl));
    }
    if (!st.ok()) return st;
    piece.remove_prefix(nl + 1);
  }
  return ok_status();
}

Result<Profile> FoldedParser::finish() {
  if (failed_) return error_;
  if (carry_too_long_) {
    ++stats_.lines;
    Status st = malformed("", "line longer than the limit");
    if (!st.ok()) return st.error();
  } else if (!carry_.empty()) {
    Status st = parse_line(carry_);
    if (!st.ok()) return st.error();
  }
  carry_.clear();
  return std::move(profile_);
}

Result<Profile> parse_folded(std::string_view text, const FoldedOptions& options, FoldedStats* stats) {
  FoldedParser parser(options);
  Status st = parser.feed(text);
  if (stats) *stats = parser.stats();
  if (!st.ok()) return st.error();
  auto result = parser.finish();
  if (stats) *stats = parser.stats();
  return result;
}

Result<Profile> read_folded_file(const std::string& path, const FoldedOptions& options,
                                 FoldedStats* stats) {
  FoldedParser parser(options);
  Status parse_status = ok_status();
  Status read_status = read_input_file(path, [&](std::string_view piece) {
    if (parse_status.ok()) parse_status = parser.feed(piece);
  });
  if (stats) *stats = parser.stats();
  if (!read_status.ok()) return read_status.error();
  if (!parse_status.ok()) return parse_status.error().with_context(path);
  auto result = parser.finish();
  if (stats) *stats = parser.stats();
  if (!result.ok()) return result.error().with_context(path);
  return result;
}

std::string folded_frame_text(const ProfileFrame& frame) {
  std::string out = sanitize_utf8(frame.name);
  for (char& c : out) {
    if (c == ';') c = ':';
    if (c == '\n') c = ' ';
  }
  if (out.empty()) out = "[unknown]";
  out += frame_kind_suffix(frame.kind);
  return out;
}

void write_folded_lines(const Profile& profile,
                        const std::function<bool(NodeId node, std::string* line)>& suffix,
                        const Sink& out) {
  // Each frame's text is escaped once, not once per line it appears on.
  std::vector<std::string> text(profile.frame_count());
  for (FrameId f = 0; f < profile.frame_count(); ++f) text[f] = folded_frame_text(profile.frame(f));
  // The walk is depth first, so each path is the previous one cut back to
  // its parent plus one frame: keep where each depth's prefix ends.
  std::string prefix, line;
  std::vector<size_t> prefix_end;
  profile.for_each_path(
      [&](std::span<const NodeId> path) {
        size_t depth = path.size() - 1;
        prefix_end.resize(depth);
        prefix.resize(depth == 0 ? 0 : prefix_end.back());
        if (depth) prefix += ';';
        prefix += text[profile.node(path.back()).frame];
        prefix_end.push_back(prefix.size());
        line = prefix;
        if (!suffix(path.back(), &line)) return;
        line += '\n';
        out(line);
      },
      /*sorted_by_name=*/true);
}

void write_folded(const Profile& profile, const Sink& out) {
  if (profile.has_locations()) {
    write_folded(profile.collapse_to_functions(), out);
    return;
  }
  write_folded_lines(
      profile,
      [&](NodeId n, std::string* line) {
        uint64_t self = profile.node(n).self;
        if (self == 0) return false;
        *line += ' ';
        *line += std::to_string(self);
        return true;
      },
      out);
}

}  // namespace kscope
