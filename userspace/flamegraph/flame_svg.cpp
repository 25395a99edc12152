#include "flamegraph/flame_svg.h"

#include <cctype>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "common/escape.h"
#include "flamegraph/flame_layout.h"
#include "flamegraph/flame_script.h"
#include "flamegraph/frame_color.h"

namespace kscope {
namespace {

constexpr int kPad = 10;
constexpr int kTop = 60;     // title, subtitle, buttons, legend
constexpr int kBottom = 30;  // details and matched lines

// Cuts s to at most max_chars code points, ending in ".." when cut; never
// splits a UTF-8 sequence.
std::string fit_label(std::string_view s, size_t max_chars) {
  if (max_chars < 3) return {};
  size_t chars = 0, cut = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<uint8_t>(s[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars - 2) cut = i;
    if (++chars > max_chars) return std::string(s.substr(0, cut)) + "..";
  }
  return std::string(s);
}

class SvgRenderer {
 public:
  SvgRenderer(const Profile& p, const FlameOptions& o, FlameFormat format, const Sink& out,
              const FlameDiff* diff)
      : p_(p), o_(o), format_(format), out_(out), diff_(diff) {}

  void render() {
    std::vector<uint64_t> totals = p_.totals();
    double graph_width = o_.width - 2.0 * kPad;
    layout_ = layout_flame(p_, totals, o_.min_width_px / graph_width);
    height_ = kTop + kBottom + static_cast<int>(layout_.max_depth + 1) * o_.frame_height;
    if (diff_) max_delta_ = max_abs_delta();
    header();
    legend();
    frames(graph_width);
    footer();
    flush();
  }

 private:
  template <class... Args>
  void put(fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(buf_), f, std::forward<Args>(args)...);
    if (buf_.size() > (256 << 10)) flush();
  }
  void flush() {
    out_(buf_);
    buf_.clear();
  }

  std::string default_title() const {
    if (diff_) return "Differential Flame Graph";
    return p_.kind() == ProfileKind::kCpu ? "CPU Flame Graph" : "Off-CPU Flame Graph";
  }

  std::string default_subtitle() const {
    std::string s = p_.kind() == ProfileKind::kCpu ? "on-CPU" : "off-CPU";
    if (p_.duration_ns()) s += ", " + format_duration_ns(static_cast<double>(p_.duration_ns()));
    s += ", " + weight_text(layout_.total);
    if (diff_) s += " (before: " + weight_text(diff_->before_total) + "); red grew, blue shrank";
    return s;
  }

  std::string weight_text(uint64_t w) const {
    if (p_.kind() == ProfileKind::kOffCpu) return format_duration_ns(static_cast<double>(w)) + " blocked";
    std::string s = format_count(w) + (w == 1 ? " sample" : " samples");
    if (p_.period_ns()) s += ", " + format_duration_ns(static_cast<double>(w) * static_cast<double>(p_.period_ns()));
    return s;
  }

  static double share(uint64_t part, uint64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
  }

  double delta(const FlameBox& b) const {
    if (b.node == Profile::kNoNode) return 0;
    return share(b.weight, layout_.total) - share(diff_->before[b.node], diff_->before_total);
  }

  double max_abs_delta() const {
    double m = 0;
    for (const FlameBox& b : layout_.boxes) m = std::max(m, std::fabs(delta(b)));
    return m;
  }

  void header() {
    std::string title = escape_xml(o_.title.empty() ? default_title() : o_.title);
    std::string subtitle = escape_xml(o_.subtitle.empty() ? default_subtitle() : o_.subtitle);
    if (format_ == FlameFormat::kHtml) {
      put("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{}</title>\n"
          "<style>body{{margin:0;background:#fdfdf8;font-family:Verdana,sans-serif}}</style>\n"
          "</head><body>\n", title);
    } else {
      put("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    }
    put("<svg id=\"kscope-flame\" version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
        "height=\"{}\" viewBox=\"0 0 {} {}\" font-family=\"Verdana,sans-serif\" data-kind=\"{}\"{}>\n",
        o_.width, height_, o_.width, height_, profile_kind_name(p_.kind()), diff_ ? " data-diff=\"1\"" : "");
    put("<style>\n{}</style>\n", flame_graph_css());
    put("<rect class=\"kf-bg\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\"/>\n", o_.width, height_);
    put("<text id=\"kf-title\" class=\"kf-title\" x=\"{}\" y=\"22\">{}</text>\n", o_.width / 2, title);
    put("<text id=\"kf-subtitle\" class=\"kf-subtitle\" x=\"{}\" y=\"40\">{}</text>\n", o_.width / 2, subtitle);
    put("<text id=\"kf-reset\" class=\"kf-button\" x=\"{}\" y=\"22\" visibility=\"hidden\">Reset Zoom</text>\n", kPad);
    put("<text id=\"kf-search\" class=\"kf-button\" x=\"{}\" y=\"22\" text-anchor=\"end\">Search</text>\n",
        o_.width - kPad);
    put("<text id=\"kf-details\" class=\"kf-status\" x=\"{}\" y=\"{}\"> </text>\n", kPad, height_ - 10);
    put("<text id=\"kf-matched\" class=\"kf-status\" x=\"{}\" y=\"{}\" text-anchor=\"end\"> </text>\n",
        o_.width - kPad, height_ - 10);
  }

  void legend_item(int* x, Rgb color, std::string_view text) {
    put("<rect x=\"{}\" y=\"46\" width=\"10\" height=\"10\" fill=\"{}\"/>"
        "<text class=\"kf-legend\" x=\"{}\" y=\"55\">{}</text>\n",
        *x, css_color(color), *x + 13, text);
    *x += 13 + static_cast<int>(text.size()) * 7 + 12;
  }

  void legend() {
    put("<g id=\"kf-legend\">\n");
    int x = kPad;
    if (diff_) {
      legend_item(&x, diff_color(1, 1), "grew");
      legend_item(&x, diff_color(-1, 1), "shrank");
      legend_item(&x, neutral_diff_color(), "same share");
    } else {
      legend_item(&x, frame_color(ProfileFrame{"", ProfileFrameKind::kUser}), "user");
      legend_item(&x, frame_color(ProfileFrame{"", ProfileFrameKind::kKernel}), "kernel");
      legend_item(&x, frame_color(ProfileFrame{"", ProfileFrameKind::kJit}), "JIT");
      legend_item(&x, frame_color(ProfileFrame{"", ProfileFrameKind::kProcess}), "process");
    }
    legend_item(&x, merged_frames_color(), "merged small frames");
    put("</g>\n");
  }

  std::string info(const FlameBox& b, const std::string& name) const {
    std::string s = name + " (" + weight_text(b.weight) + ", " +
                    fmt::format("{:.2f}%", 100 * share(b.weight, layout_.total));
    if (diff_ && b.node != Profile::kNoNode) {
      uint64_t before = diff_->before[b.node];
      s += fmt::format("; before: {}, {:.2f}%; change {:+.2f} pp", weight_text(before),
                       100 * share(before, diff_->before_total), 100 * delta(b));
    }
    return s + ")";
  }

  void frames(double graph_width) {
    put("<g id=\"kf-frames\" data-font-size=\"{}\" data-pad=\"{}\" data-match-color=\"{}\">\n", o_.font_size,
        kPad, css_color(search_match_color()));
    // Escaped names are computed once per frame, not once per box.
    std::vector<std::string> names(p_.frame_count());
    std::vector<bool> named(p_.frame_count(), false);
    double scale = graph_width / static_cast<double>(layout_.total);
    double char_width = o_.font_size * 0.59;
    for (const FlameBox& b : layout_.boxes) {
      std::string_view raw;
      std::string merged_name;
      Rgb color;
      if (b.node == Profile::kNoNode) {
        merged_name = format_count(b.merged) + " small frames";
        raw = merged_name;
        color = merged_frames_color();
      } else if (b.node == Profile::kRoot) {
        raw = "all";
        color = Rgb{210, 210, 210};
      } else {
        FrameId f = p_.node(b.node).frame;
        if (!named[f]) {
          names[f] = sanitize_utf8(p_.frame(f).name);
          named[f] = true;
        }
        raw = names[f];
        color = frame_color(p_.frame(f));
      }
      if (diff_) color = b.node == Profile::kNoNode ? merged_frames_color() : diff_color(delta(b), max_delta_);
      double x = kPad + static_cast<double>(b.x) * scale;
      double w = static_cast<double>(b.weight) * scale;
      int y = height_ - kBottom - static_cast<int>(b.depth + 1) * o_.frame_height;
      std::string name(raw);
      put("<g><title>{}</title><rect x=\"{:.2f}\" y=\"{}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\" rx=\"2\"/>",
          escape_xml(info(b, name)), x, y, w, o_.frame_height - 1, css_color(color));
      std::string label = fit_label(name, static_cast<size_t>(std::max(0.0, (w - 6) / char_width)));
      put("<text x=\"{:.2f}\" y=\"{}\">{}</text></g>\n", x + 3, y + o_.frame_height - 4, escape_xml(label));
    }
    put("</g>\n");
  }

  void footer() {
    std::string_view js = flame_graph_script();
    std::string nonce;
    for (char c : o_.script_nonce) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-') {
        nonce += c;
      }
    }
    if (nonce.empty()) {
      put("<script type=\"text/ecmascript\"><![CDATA[\n");
    } else {
      put("<script type=\"text/ecmascript\" nonce=\"{}\"><![CDATA[\n", nonce);
    }
    // "]]>" would end the CDATA section early; the script is ours, but keep
    // the document well-formed whatever it contains.
    size_t pos = 0, hit;
    while ((hit = js.find("]]>", pos)) != std::string_view::npos) {
      put("{}]]]]><![CDATA[>", js.substr(pos, hit - pos));
      pos = hit + 3;
    }
    put("{}\n]]></script>\n</svg>\n", js.substr(pos));
    if (format_ == FlameFormat::kHtml) put("</body></html>\n");
  }

  const Profile& p_;
  const FlameOptions& o_;
  FlameFormat format_;
  const Sink& out_;
  const FlameDiff* diff_;
  FlameLayout layout_;
  int height_ = 0;
  double max_delta_ = 0;
  std::string buf_;
};

}  // namespace

std::string format_duration_ns(double ns) {
  if (ns >= 1e9) return fmt::format("{:.2f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.2f} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.2f} us", ns / 1e3);
  return fmt::format("{:.0f} ns", ns);
}

std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void write_flame_graph(const Profile& profile, const FlameOptions& options, FlameFormat format,
                       const Sink& out, const FlameDiff* diff) {
  if (profile.has_locations() && diff == nullptr) {
    write_flame_graph(profile.collapse_to_functions(), options, format, out, nullptr);
    return;
  }
  SvgRenderer(profile, options, format, out, diff).render();
}

}  // namespace kscope
