#include "net/curl_library.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kscope {
namespace {

using ::testing::HasSubstr;

TEST(CurlLibrary, AMissingLibraryIsOneClearErrorNotACrash) {
  auto lib = load_curl_library("libkscope-test-no-such-curl.so.4");
  ASSERT_FALSE(lib.ok());
  EXPECT_THAT(lib.error().message(), HasSubstr("report --prometheus need libkscope-test-no-such-curl.so.4: "));
  EXPECT_THAT(lib.error().message(), HasSubstr("cannot open shared object file"));  // dlerror()
  EXPECT_THAT(lib.error().hint(), HasSubstr("libcurl4"));
}

TEST(CurlLibrary, ALibraryWithoutCurlsSymbolsIsAnError) {
  auto lib = load_curl_library("libz.so.1");  // loadable, but not libcurl
  ASSERT_FALSE(lib.ok());
  EXPECT_THAT(lib.error().message(), HasSubstr("need libz.so.1: "));
  EXPECT_THAT(lib.error().message(), HasSubstr("curl_global_init"));  // dlerror() names the symbol
}

TEST(CurlLibrary, LoadsOnceAndResolvesEveryFunction) {
  auto first = curl_library();
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  const CurlLibrary& lib = **first;
  EXPECT_NE(lib.global_init, nullptr);
  EXPECT_NE(lib.easy_init, nullptr);
  EXPECT_NE(lib.easy_cleanup, nullptr);
  EXPECT_NE(lib.easy_setopt, nullptr);
  EXPECT_NE(lib.easy_perform, nullptr);
  EXPECT_NE(lib.easy_getinfo, nullptr);
  EXPECT_NE(lib.easy_strerror, nullptr);
  EXPECT_NE(lib.slist_append, nullptr);
  EXPECT_NE(lib.slist_free_all, nullptr);
  EXPECT_STREQ(lib.easy_strerror(CURLE_OK), "No error");
  auto second = curl_library();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
}

}  // namespace
}  // namespace kscope
