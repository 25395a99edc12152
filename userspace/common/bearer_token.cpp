#include "common/bearer_token.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>

namespace kscope {

Result<std::string> read_bearer_token(const std::string& file, const std::string& env, MissingTokenEnv missing) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Error("cannot read token file " + file, "", errno);
    std::string token;
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) return Error("token file " + file + " is empty");
    return token;
  }
  if (!env.empty()) {
    const char* v = std::getenv(env.c_str());
    if (v != nullptr && *v != '\0') return std::string(v);
    if (missing == MissingTokenEnv::kError) {
      return Error("the token variable " + env + " is not set or empty");
    }
  }
  return std::string();
}

}  // namespace kscope
