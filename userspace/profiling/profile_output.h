// Writing a profile in the format a file name (or a format word) asks for.
#pragma once

#include <string>

#include "common/result.h"
#include "flamegraph/output_sink.h"
#include "flamegraph/profile.h"

namespace kscope {


enum class OutputFormat { kSvg, kHtml, kFolded, kPprof };

// From an extension: .svg, .html/.htm, .folded/.txt, .pb.gz/.pprof/.pb;
// from a word: svg, html, folded, pprof.
Result<OutputFormat> output_format_for_path(const std::string& path);
Result<OutputFormat> output_format_for_name(const std::string& name);

// The HTTP content type of a format.
const char* content_type(OutputFormat format);

// script_nonce: see FlameOptions::script_nonce (SVG and HTML only).
void write_profile(const Profile& profile, OutputFormat format, const std::string& title, const Sink& out,
                   const std::string& script_nonce = {});

}  // namespace kscope
