#include "common/thread_name.h"

#include <pthread.h>

#include <string>

namespace kscope {

void name_this_thread(std::string_view name) {
  const std::string cut(name.substr(0, kMaxThreadName));
  // Fails only for a name over 15 bytes, which the cut rules out.
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace kscope
