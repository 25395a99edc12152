// Interactive flame graphs as a self-contained SVG, or an HTML page holding
// the same SVG: hover details, click to zoom, search (regular expression or
// text) with highlight and the matched share, reset. No external files,
// fonts or network.
//
// Every string from the profile (frame names, title, subtitle) is escaped
// as XML text; the embedded script reads names back from the document and
// writes them only with textContent.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "flamegraph/output_sink.h"
#include "flamegraph/profile.h"

namespace kscope {

enum class FlameFormat { kSvg, kHtml };

struct FlameOptions {
  std::string title;     // empty: "CPU Flame Graph" / "Off-CPU Flame Graph"
  std::string subtitle;  // empty: kind, duration and total
  int width = 1200;
  int frame_height = 16;
  int font_size = 12;
  // Frames narrower than this are merged (see flame_layout.h).
  double min_width_px = 0.1;
  // CSP nonce for the embedded script, so a page whose Content-Security-
  // Policy allows only that nonce can show the graph interactively. Only
  // [A-Za-z0-9+/=_-] is kept.
  std::string script_nonce;
};

// The "before" side of a differential graph, aligned with the drawn
// profile's nodes (see diff.h).
struct FlameDiff {
  std::span<const uint64_t> before;  // inclusive "before" weight of each node
  uint64_t before_total = 0;
};

// Draws profile (collapsed to functions first if it has addresses). With
// diff, box widths still come from profile, colours from the change.
void write_flame_graph(const Profile& profile, const FlameOptions& options, FlameFormat format,
                       const Sink& out, const FlameDiff* diff = nullptr);

// "1.23 s", "45.6 ms", "789 us", "12 ns".
std::string format_duration_ns(double ns);
// "1,234,567".
std::string format_count(uint64_t n);

}  // namespace kscope
