// The style sheet and script of the interactive flame graph (flame_svg.h).
#pragma once

#include <string_view>

namespace kscope {

std::string_view flame_graph_css();
// Reads frame names from the document only, writes them only through
// textContent; exposes window.kscopeFlame for tests.
std::string_view flame_graph_script();

}  // namespace kscope
