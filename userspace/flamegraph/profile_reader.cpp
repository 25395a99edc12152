#include "flamegraph/profile_reader.h"

#include "flamegraph/gzip.h"
#include "flamegraph/output_sink.h"
#include "flamegraph/pprof_reader.h"

namespace kscope {
namespace {
constexpr size_t kMaxBinaryBytes = size_t{1} << 30;
}  // namespace

ProfileFormat sniff_profile_format(std::string_view head) {
  head = head.substr(0, 4096);
  for (char c : head) {
    auto b = static_cast<uint8_t>(c);
    if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') return ProfileFormat::kPprof;
  }
  return ProfileFormat::kFolded;
}

Result<Profile> parse_profile(std::string_view data, const FoldedOptions& folded) {
  if (is_gzip(data)) {
    auto raw = gunzip(data, kMaxBinaryBytes);
    if (!raw.ok()) return raw.error();
    return parse_profile(*raw, folded);
  }
  if (sniff_profile_format(data) == ProfileFormat::kPprof) return read_pprof(data);
  return parse_folded(data, folded);
}

Result<Profile> read_profile_file(const std::string& path, const FoldedOptions& folded) {
  enum class Mode { kUnknown, kText, kBinary } mode = Mode::kUnknown;
  FoldedParser parser(folded);
  Status parse_status = ok_status();
  std::string binary;
  bool too_big = false;
  Status read_status = read_input_file(path, [&](std::string_view piece) {
    if (mode == Mode::kUnknown) {
      bool bin = is_gzip(piece) || sniff_profile_format(piece) == ProfileFormat::kPprof;
      mode = bin ? Mode::kBinary : Mode::kText;
    }
    if (mode == Mode::kText) {
      if (parse_status.ok()) parse_status = parser.feed(piece);
    } else if (binary.size() + piece.size() > kMaxBinaryBytes) {
      too_big = true;
    } else if (!too_big) {
      binary.append(piece);
    }
  });
  if (!read_status.ok()) return read_status.error();
  if (too_big) return Error(path + " is larger than 1 GiB", "is it the right file?");
  Result<Profile> p = mode == Mode::kBinary ? parse_profile(binary, folded)
                      : parse_status.ok()   ? parser.finish()
                                            : Result<Profile>(parse_status.error());
  if (!p.ok()) return p.error().with_context(path);
  return p;
}

}  // namespace kscope
