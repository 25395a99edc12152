#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace kscope {
namespace {

std::string name_of(pthread_t t) {
  char buf[32] = {};
  pthread_getname_np(t, buf, sizeof buf);
  return buf;
}

TEST(ThreadName, NamesTheCallingThreadAndCutsAtFifteenBytes) {
  std::string short_name, long_name;
  std::thread([&] {
    name_this_thread("kscope-collect");
    short_name = name_of(pthread_self());
    name_this_thread("kscope-a-name-far-too-long");
    long_name = name_of(pthread_self());
  }).join();
  EXPECT_EQ(short_name, "kscope-collect");
  EXPECT_EQ(long_name, "kscope-a-name-f");
}

}  // namespace
}  // namespace kscope
