// The self-contained HTML page of `kscope report`: uPlot's script and style
// inline, the data inline as JSON, every string escaped, readable without
// JavaScript (tables) and offline.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "report/report_data.h"

namespace kscope {

std::string render_report_html(const ReportData& data, std::string_view uplot_js, std::string_view uplot_css);

// JSON that is safe inside <script>: '<', '>' and '&' as \u003c, \u003e,
// \u0026 (JSON has them only in strings, where the escapes are equal).
std::string script_safe_json(const nlohmann::json& j);

// Inline script text: "</" becomes "<\/" so no "</script" ends it early (in
// JavaScript the two are the same inside strings, regexes and comments).
std::string script_safe_text(std::string_view js);

}  // namespace kscope
