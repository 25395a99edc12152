#include "profiling/profile_output.h"

#include "flamegraph/flame_svg.h"
#include "flamegraph/folded.h"
#include "flamegraph/pprof_writer.h"

namespace kscope {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<OutputFormat> output_format_for_name(const std::string& name) {
  if (name == "svg") return OutputFormat::kSvg;
  if (name == "html") return OutputFormat::kHtml;
  if (name == "folded") return OutputFormat::kFolded;
  if (name == "pprof") return OutputFormat::kPprof;
  return Error("unknown format '" + name + "'", "use svg, html, folded or pprof");
}

Result<OutputFormat> output_format_for_path(const std::string& path) {
  if (ends_with(path, ".svg")) return OutputFormat::kSvg;
  if (ends_with(path, ".html") || ends_with(path, ".htm")) return OutputFormat::kHtml;
  if (ends_with(path, ".folded") || ends_with(path, ".txt") || path == "-") return OutputFormat::kFolded;
  if (ends_with(path, ".pb.gz") || ends_with(path, ".pprof") || ends_with(path, ".pb")) return OutputFormat::kPprof;
  return Error("cannot tell the output format of '" + path + "'",
               "end the file name in .svg, .html, .folded or .pb.gz");
}

const char* content_type(OutputFormat format) {
  switch (format) {
    case OutputFormat::kSvg: return "image/svg+xml";
    case OutputFormat::kHtml: return "text/html; charset=utf-8";
    case OutputFormat::kFolded: return "text/plain; charset=utf-8";
    case OutputFormat::kPprof: return "application/octet-stream";
  }
  return "application/octet-stream";
}

void write_profile(const Profile& profile, OutputFormat format, const std::string& title, const Sink& out,
                   const std::string& script_nonce) {
  FlameOptions opts;
  opts.title = title;
  opts.script_nonce = script_nonce;
  switch (format) {
    case OutputFormat::kSvg: write_flame_graph(profile, opts, FlameFormat::kSvg, out); break;
    case OutputFormat::kHtml: write_flame_graph(profile, opts, FlameFormat::kHtml, out); break;
    case OutputFormat::kFolded: write_folded(profile, out); break;
    case OutputFormat::kPprof: write_pprof(profile, out); break;
  }
}

}  // namespace kscope
