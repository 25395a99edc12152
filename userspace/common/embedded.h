// Files compiled into the binary from userspace/<module>/embed/ (see
// scripts/embed.cmake): the default config, the web dashboard.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace kscope {

// "config/default.yaml" for userspace/config/embed/default.yaml. Empty when
// there is no such file.
std::string_view embedded_file(const std::string& path);

const std::map<std::string, std::string_view>& embedded_files();

}  // namespace kscope
