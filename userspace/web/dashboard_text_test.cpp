// The dashboard shows names chosen by watched processes: its scripts must
// put them in the page as text (textContent), never parse them as HTML.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "common/embedded.h"

namespace kscope {
namespace {

TEST(DashboardText, ScriptsNeverParseDataAsHtml) {
  int scripts = 0;
  for (const auto& [path, body] : embedded_files()) {
    if (path.rfind("web/", 0) != 0 || path.size() < 3 || path.compare(path.size() - 3, 3, ".js") != 0) continue;
    if (path.find("/vendor/") != std::string::npos) continue;  // uPlot builds its own DOM
    ++scripts;
    std::string text(body);
    static const std::regex kHtmlSinks(R"(innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\(|new Function)");
    std::smatch m;
    EXPECT_FALSE(std::regex_search(text, m, kHtmlSinks)) << path << " uses " << m.str();
  }
  EXPECT_GE(scripts, 2) << "the dashboard's scripts are not embedded under web/";
}

}  // namespace
}  // namespace kscope
