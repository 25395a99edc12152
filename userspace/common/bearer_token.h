// The bearer token shared by `kscope run` (what it requires) and its clients
// (`kscope top`, `kscope report`: what they send): the first line of a file,
// or else an environment variable.
#pragma once

#include <string>

#include "common/result.h"

namespace kscope {

enum class MissingTokenEnv {
  kError,  // the server: a named but unset variable would leave the API open
  kEmpty,  // a client: no token to send
};

// Empty when neither is given. A file that cannot be read or holds an empty
// first line is an error (trailing spaces and CR are dropped).
Result<std::string> read_bearer_token(const std::string& file, const std::string& env, MissingTokenEnv missing);

}  // namespace kscope
