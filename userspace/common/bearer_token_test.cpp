#include "common/bearer_token.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

namespace kscope {
namespace {

std::string temp_file(const std::string& text) {
  char path[] = "/tmp/kscope-token-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(BearerToken, FirstLineOfTheFileWithoutTrailingBlanks) {
  auto path = temp_file("s3cret \r\nsecond line\n");
  auto t = read_bearer_token(path, "KSCOPE_TEST_TOKEN_UNUSED", MissingTokenEnv::kError);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(*t, "s3cret");
  unlink(path.c_str());
}

TEST(BearerToken, EmptyOrMissingFileIsAnError) {
  auto path = temp_file("\n");
  EXPECT_FALSE(read_bearer_token(path, "", MissingTokenEnv::kEmpty).ok());
  unlink(path.c_str());
  auto missing = read_bearer_token("/nonexistent/kscope-token", "", MissingTokenEnv::kEmpty);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("/nonexistent/kscope-token"), std::string::npos);
}

TEST(BearerToken, EnvironmentVariableServerRequiresItClientDoesNot) {
  unsetenv("KSCOPE_TEST_TOKEN");
  EXPECT_FALSE(read_bearer_token("", "KSCOPE_TEST_TOKEN", MissingTokenEnv::kError).ok());
  auto client = read_bearer_token("", "KSCOPE_TEST_TOKEN", MissingTokenEnv::kEmpty);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(*client, "");
  setenv("KSCOPE_TEST_TOKEN", "abc", 1);
  EXPECT_EQ(*read_bearer_token("", "KSCOPE_TEST_TOKEN", MissingTokenEnv::kError), "abc");
  unsetenv("KSCOPE_TEST_TOKEN");
  EXPECT_EQ(*read_bearer_token("", "", MissingTokenEnv::kError), "");
}

}  // namespace
}  // namespace kscope
